import t from 'tap'
import http from 'node:http'
import { startOrigin, startSite, childYaml, writeSecret, tempDir, fetchText } from './helpers/sites.ts'
import { healthOf } from './helpers/hub.ts'

t.test('when the root comes back, forwarding resumes within one probe interval', async (t) => {
  const origin = await startOrigin(t)
  const port = origin.port
  const dir = tempDir(t)
  writeSecret(dir, 'root.key', 'fgk_back_' + 'b'.repeat(30))
  const site = await startSite(t, childYaml('back', origin.url, '  health: { interval: 2s, failures: 2, backoff: 1m, maxBackoff: 5m }\n'), { dir, clock: t.clock })
  await origin.close()
  for (let i = 0; i < 3; i++) await fetchText(site, `/x${i}`)
  t.equal(site.gw.rootHealth!.state, 'down', 'circuit open')
  t.equal(JSON.parse((await fetchText(site, '/x')).body).error.code, 'GW_ERR_ROOT_DOWN')

  // The root comes back on the same port.
  const back = http.createServer((req, res) => res.end('back'))
  await new Promise<void>((r) => back.listen(port, '127.0.0.1', r))
  t.teardown(() => {
    back.closeAllConnections()
    back.close()
  })
  // One probe interval of (fake) time; the backoff (1m) has not elapsed, so only the probe can close it.
  const probes = site.gw.rootHealth!.probes
  t.clock.advance(2000)
  for (let i = 0; i < 200 && site.gw.rootHealth!.state !== 'up'; i++) await new Promise((r) => setTimeout(r, 10))
  t.ok(site.gw.rootHealth!.probes > probes, 'a probe ran')
  const health = await healthOf(site)
  t.equal(health.root.state, 'up', '/health says up')
  const res = await fetchText(site, '/again')
  t.equal(res.status, 200, 'forwarding works again')
  t.equal(res.body, 'back')
})
