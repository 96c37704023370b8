// A socket that never sends its HELLO is a failed attempt like a bad token: after failures.limit of them
// the address gets 429, so it cannot keep coming back to hold places in the HELLO budget.
import t from 'tap'
import { tempDir, startSite, writeSecret } from './helpers/sites.ts'
import { tunnelYaml, connect, closed } from './helpers/ws-peers.ts'
import { startClaspHub } from './helpers/clasp-hub.ts'

type Health = { tunnel: { tunnels: { awaitingHello: number; refused: Record<string, number> }[] } }

t.test('after failures.limit HELLO timeouts the address gets 429, even with a good token', async (t) => {
  const hub = await startClaspHub(t)
  const dir = tempDir(t)
  writeSecret(dir, 'federation-tokens.txt', 'good-token-kkkk')
  const site = await startSite(t, tunnelYaml('riga', hub.url, 'helloTimeout: 5s\nfailures: { limit: 3, window: 10m }'), { dir, clock: t.clock })
  const tunnels = () => (site.gw.health() as Health).tunnel.tunnels[0]!
  const silent = { protocols: ['clasp'], localAddress: '127.0.0.2' }

  for (let i = 1; i <= 3; i++) {
    const out = await connect(site, silent)
    if (!out.opened) return t.fail(`attempt ${i} refused with ${out.status} before its HELLO timed out`)
    const end = closed(out.ws)
    t.equal(tunnels().awaitingHello, 1, `attempt ${i}: accepted, waiting for its HELLO`)
    t.clock.advance(5000)
    t.same(await end, { code: 1008, reason: 'no HELLO in time' }, `attempt ${i}: closed with 1008 at helloTimeout`)
  }
  t.match(tunnels(), { awaitingHello: 0, refused: { helloTimeout: 3 } }, 'each timeout counted, and its place freed')

  const clasp = await connect(site, silent)
  t.notOk(clasp.opened, 'a fourth CLASP attempt is refused at the upgrade')
  if (!clasp.opened) {
    t.equal(clasp.status, 429)
    t.match(JSON.parse(clasp.body), { error: { code: 'GW_ERR_TOO_MANY_REQUESTS' } })
    t.ok(Number(clasp.headers['retry-after']) > 0, 'with Retry-After')
  }
  const bearer = await connect(site, { headers: { authorization: 'Bearer good-token-kkkk' }, localAddress: '127.0.0.2' })
  t.notOk(bearer.opened, 'the address stays slowed down for the window, whatever it presents')
  if (!bearer.opened) t.equal(bearer.status, 429)
  const other = await connect(site, { headers: { authorization: 'Bearer good-token-kkkk' }, protocols: ['clasp'] })
  t.ok(other.opened, 'another address is not affected')
  if (other.opened) other.ws.terminate()
  t.equal(hub.tcpConnections, 1, 'only the authenticated caller reached the hub')
})
