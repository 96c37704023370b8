// A 5xx answer from the root counts against its health when forwarded, as it does for the probe: the
// circuit opens and stays open while the root keeps failing, instead of flapping; the client still gets
// the root's own answer while the request goes.
import t from 'tap'
import { startChildWithOrigin } from './helpers/child-site.ts'
import { fetchText } from './helpers/sites.ts'

t.test('forwarded 5xx answers open the circuit, and a trial answered 5xx keeps it open', async (t) => {
  const { site } = await startChildWithOrigin(t, 'fivexx', {
    clock: t.clock, // no probe runs unless the clock is advanced: only forwarded answers count here
    extra: '  health: { failures: 3, backoff: 1s }\n',
    handler: (_req, res) => {
      res.writeHead(503, { 'content-type': 'text/plain', 'retry-after': '30' })
      res.end('maintenance')
    },
  })
  const health = site.gw.rootHealth!
  for (let i = 1; i <= 3; i++) {
    const res = await fetchText(site, '/anything')
    t.equal(res.status, 503, `request ${i}: the root's 503`)
    t.equal(res.body, 'maintenance', `request ${i}: passed through as the root sent it`)
  }
  t.equal(health.state, 'down', 'three 5xx answers in a row open the circuit')
  t.match(health.breaker.lastError, /HTTP 503/, 'the reason names the status')
  const refused = await fetchText(site, '/anything')
  t.equal(JSON.parse(refused.body).error.code, 'GW_ERR_ROOT_DOWN', 'then forwarding is refused at once')

  t.clock.advance(1000)
  t.equal(health.state, 'recovering', 'after the backoff, one trial may go')
  const trial = await fetchText(site, '/anything')
  t.equal(trial.body, 'maintenance', 'the trial reaches the root')
  t.equal(health.state, 'down', 'and, answered 503, does not close the circuit')
})
