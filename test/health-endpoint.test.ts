import t from 'tap'
import { startOrigin, startSite, childYaml, writeSecret, tempDir, fetchText } from './helpers/sites.ts'
import { adminKeyOf, bearer } from './helpers/hub.ts'

t.test('GET /health with an admin key answers JSON with the site, its role, and the root state and since when', async (t) => {
  const origin = await startOrigin(t)
  const dir = tempDir(t)
  writeSecret(dir, 'root.key', 'fgk_health_' + 'h'.repeat(30))
  const site = await startSite(t, childYaml('osaka', origin.url, '  health: { interval: 1h }\n'), { dir, clock: t.clock })
  const admin = bearer(await adminKeyOf(site))
  const res = await fetchText(site, '/health', { headers: admin })
  t.equal(res.status, 200)
  t.match(res.headers['content-type'], /^application\/json/)
  t.equal(res.headers['cache-control'], 'no-store')
  const h = JSON.parse(res.body)
  t.equal(h.site, 'osaka')
  t.equal(h.role, 'child')
  t.equal(h.status, 'ok')
  t.equal(h.root.state, 'up')
  t.equal(h.root.url, origin.url)
  t.ok(!Number.isNaN(Date.parse(h.root.since)), 'since is a timestamp')
  t.same(origin.seen.filter((s) => s.url === '/health'), [], "/health is the gateway's own, not forwarded")

  const head = await fetchText(site, '/health', { method: 'HEAD', headers: admin })
  t.equal(head.status, 200)
  t.equal(head.body, '')
})

t.test('a root site has no upstream: root is null', async (t) => {
  const site = await startSite(t, 'site: { name: hq, role: root }\nlisten:\n  https: { host: 127.0.0.1, port: 0 }\ntls: { dir: certs }\n', { dir: tempDir(t) })
  const h = JSON.parse((await fetchText(site, '/health', { headers: bearer(await adminKeyOf(site)) })).body)
  t.equal(h.site, 'hq')
  t.equal(h.role, 'root')
  t.equal(h.root, null)
})
