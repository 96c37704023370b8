// 200 clients ask at once for the packument of a package that is not synchronized: the root is asked
// once, every client gets the whole document with its tarball URLs on this site, and the next request
// after that fetch settled asks the root again (nothing is kept).
import t from 'tap'
import { request } from 'undici'
import { childYaml, startSite, tempDir, writeSecret } from './helpers/sites.ts'
import { startNpmOrigin } from './helpers/npm-origin.ts'

const CLIENTS = 200

t.test('concurrent requests for one proxied packument share one fetch from the root', async (t) => {
  const dir = tempDir(t)
  const root = await startNpmOrigin(t, { size: 1024 * 1024 })
  writeSecret(dir, 'root.key', 'site-key-0123456789abcdef')
  const child = await startSite(t, childYaml('branch', root.url, 'npm:\n  packages: []\n  proxy: { concurrency: 2, wait: 5m }\n'), { dir, name: 'branch' })
  const proxied = () => (child.gw.health().npm as { proxied: { requests: number } }).proxied

  const answers = Array.from({ length: CLIENTS }, async () => {
    const res = await request(`${child.url}/big`, { headers: { accept: 'application/json' }, dispatcher: child.agent })
    return { status: res.statusCode, body: await res.body.text() }
  })
  // The root answers only once every request is at the gateway (bounded wait; the test fails below if not).
  for (let i = 0; i < 600 && proxied().requests < CLIENTS; i++) await new Promise((r) => setTimeout(r, 50))
  t.equal(proxied().requests, CLIENTS, 'every request is waiting at the gateway')
  root.open()
  const got = await Promise.all(answers)

  t.equal(root.fetches('big'), 1, 'the root saw one fetch')
  t.same(new Set(got.map((g) => g.status)), new Set([200]), 'every client got 200')
  t.equal(new Set(got.map((g) => g.body)).size, 1, 'the same document')
  const doc = JSON.parse(got[0]!.body) as { versions: Record<string, { dist: { tarball: string } }> }
  t.equal(Object.keys(doc.versions).length, 200, 'whole')
  t.match(doc.versions['1.0.0']!.dist.tarball, /^https:\/\/127\.0\.0\.1:\d+\/big\/-\/big-1\.0\.0\.tgz$/, 'with its tarball URLs on this site, under the name the client used')

  const again = await request(`${child.url}/big`, { headers: { accept: 'application/json' }, dispatcher: child.agent })
  await again.body.dump()
  t.equal(again.statusCode, 200)
  t.equal(root.fetches('big'), 2, 'once the fetch settled, the next request asks the root again')
})

t.test('a failed fetch is shared too', async (t) => {
  const dir = tempDir(t)
  const root = await startNpmOrigin(t, { size: 1024 })
  writeSecret(dir, 'root.key', 'site-key-0123456789abcdef')
  const child = await startSite(t, childYaml('branch', root.url, 'npm:\n  packages: []\n  maxPackumentBytes: 512\n'), { dir, name: 'branch' })
  const proxied = () => (child.gw.health().npm as { proxied: { requests: number } }).proxied
  const answers = Array.from({ length: 20 }, async () => {
    const res = await request(`${child.url}/too-big`, { headers: { accept: 'application/json' }, dispatcher: child.agent })
    return { status: res.statusCode, body: (await res.body.json()) as { code: string } }
  })
  for (let i = 0; i < 600 && proxied().requests < 20; i++) await new Promise((r) => setTimeout(r, 50))
  root.open()
  const got = await Promise.all(answers)
  t.equal(root.fetches('too-big'), 1, 'the root saw one fetch')
  t.same(new Set(got.map((g) => `${g.status} ${g.body.code}`)), new Set(['502 GW_ERR_ROOT_BAD_RESPONSE']), 'and every client its failure, in npm\'s error shape')
})
