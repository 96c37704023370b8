// Clients choose the forwarded paths: a path the root answers 5xx, however often, must not open the
// circuit (which would refuse forwarding and new tunnels for everyone). The client still gets the root's
// own answer; transport failures keep counting.
import t from 'tap'
import { startChildWithOrigin } from './helpers/child-site.ts'
import { fetchText } from './helpers/sites.ts'

t.test('a path the root answers 500/503 many times does not open the circuit; a transport failure still counts', async (t) => {
  const { site } = await startChildWithOrigin(t, 'failing-path', {
    clock: t.clock, // no probe runs unless the clock is advanced: only forwarded outcomes count here
    extra: '  health: { failures: 3, backoff: 1s }\n',
    handler: (req, res) => {
      if (req.url === '/reset') return req.socket.destroy()
      const status = req.url === '/broken-500' ? 500 : req.url === '/broken-503' ? 503 : 200
      res.writeHead(status, { 'content-type': 'text/plain' })
      res.end(status === 200 ? 'fine' : `failed ${status}`)
    },
  })
  const health = site.gw.rootHealth!
  for (let i = 1; i <= 10; i++) {
    const status = i % 2 ? 500 : 503
    const res = await fetchText(site, `/broken-${status}`)
    t.equal(res.status, status, `request ${i}: the root's ${status} reaches the client`)
    t.equal(res.body, `failed ${status}`, `request ${i}: as the root sent it`)
  }
  t.equal(health.state, 'up', 'ten 5xx answers in a row leave the circuit closed')
  t.equal((await fetchText(site, '/other')).body, 'fine', 'other paths are still forwarded')

  for (let i = 1; i <= 3; i++) {
    const res = await fetchText(site, '/reset')
    t.equal(res.status, 502, `reset ${i}: 502`)
  }
  t.equal(health.state, 'down', 'three transport failures in a row open the circuit')
  t.match(health.breaker.lastError, /GW_ERR_ROOT_BAD_RESPONSE/, 'the reason names the failure')
  const refused = await fetchText(site, '/other')
  t.equal(JSON.parse(refused.body).error.code, 'GW_ERR_ROOT_DOWN', 'then forwarding is refused at once')
})
