import t from 'tap'
import { startOrigin, startSite, childYaml, writeSecret, tempDir, fetchText } from './helpers/sites.ts'
import { healthOf } from './helpers/hub.ts'

t.test('with the root stopped, forwarded requests get 503 + Retry-After at once and the circuit opens', async (t) => {
  const origin = await startOrigin(t)
  const dir = tempDir(t)
  writeSecret(dir, 'root.key', 'fgk_down_' + 'd'.repeat(30))
  // The fake clock keeps the active probe out of the way: only the forwarded requests' failures count.
  const site = await startSite(t, childYaml('down', origin.url, '  health: { interval: 10s, failures: 3 }\n'), { dir, clock: t.clock })
  t.equal((await fetchText(site, '/before')).status, 200, 'forwarding works while the root is up')
  await origin.close()

  const codes: string[] = []
  for (let i = 0; i < 5; i++) {
    const res = await fetchText(site, `/after-${i}`)
    t.equal(res.status, 503, `request ${i}: 503`)
    t.match(res.headers['retry-after'], /^\d+$/, `request ${i}: Retry-After`)
    const body = JSON.parse(res.body)
    t.match(body.error.code, /^GW_ERR_ROOT_(DOWN|UNAVAILABLE)$/)
    codes.push(body.error.code)
  }
  t.same(codes.slice(0, 3), ['GW_ERR_ROOT_UNAVAILABLE', 'GW_ERR_ROOT_UNAVAILABLE', 'GW_ERR_ROOT_UNAVAILABLE'], 'refused connections until the circuit opens')
  t.same(codes.slice(3), ['GW_ERR_ROOT_DOWN', 'GW_ERR_ROOT_DOWN'], 'after root.health.failures the circuit is open: no connection attempted')

  const health = await healthOf(site)
  t.equal(health.root.state, 'down')
  t.equal(health.root.since, new Date(t.clock.now()).toISOString(), 'since: when the circuit opened')
  t.match(site.logs.text, /root is down/, 'the change is logged')
})
