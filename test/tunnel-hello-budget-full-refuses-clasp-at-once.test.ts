// The HELLO budget is global too: when it is taken (many addresses, none sending HELLO), a new CLASP
// caller gets 503 at once, callers authenticating at the upgrade still get tunnels, and a place freed by
// a HELLO is usable again.
import t from 'tap'
import { encode } from '@clasp-to/core'
import { tempDir, startSite, writeSecret } from './helpers/sites.ts'
import { tunnelYaml, connect, roundTrip, type Outcome } from './helpers/ws-peers.ts'
import { startClaspHub } from './helpers/clasp-hub.ts'

type Health = { tunnel: { tunnels: { open: number; awaitingHello: number; refused: Record<string, number> }[] } }

t.test('with helloBudget.max callers waiting for HELLO, the next CLASP caller gets 503 and others pass', async (t) => {
  const hub = await startClaspHub(t)
  const dir = tempDir(t)
  writeSecret(dir, 'federation-tokens.txt', 'good-token-mmmm')
  const site = await startSite(t, tunnelYaml('tallinn', hub.url, 'helloBudget: { max: 3, perAddress: 2 }'), { dir, clock: t.clock })
  const tunnels = () => (site.gw.health() as Health).tunnel.tunnels[0]!
  const clasp = (localAddress: string) => connect(site, { protocols: ['clasp'], localAddress })

  const waiting: Outcome[] = [await clasp('127.0.0.2'), await clasp('127.0.0.2'), await clasp('127.0.0.3')]
  t.teardown(() => waiting.forEach((w) => w.opened && w.ws.terminate()))
  t.ok(waiting.every((w) => w.opened), 'three callers from two addresses wait for their HELLO')

  const refused = await clasp('127.0.0.4')
  t.notOk(refused.opened, 'a fourth, from a fresh address, is refused at the upgrade')
  if (!refused.opened) {
    t.equal(refused.status, 503)
    t.equal(refused.headers['retry-after'], '1')
    t.match(JSON.parse(refused.body), { error: { code: 'GW_ERR_TUNNEL_HELLO_BUSY' } })
  }
  const bearer = await connect(site, { headers: { authorization: 'Bearer good-token-mmmm' }, protocols: ['clasp'], localAddress: '127.0.0.4' })
  t.ok(bearer.opened, 'a caller with Authorization: Bearer still gets a tunnel')
  if (bearer.opened) bearer.ws.terminate()

  // One waiting caller sends a good HELLO: it leaves the budget and gets its tunnel.
  const first = waiting[0]!
  if (!first.opened) return
  const welcome = await roundTrip(first.ws, Buffer.from(encode({ type: 'HELLO', version: 1, name: 'late', features: [], token: 'good-token-mmmm' })))
  t.equal(welcome[0], 0x53, 'the hub answered its HELLO')
  t.equal(tunnels().awaitingHello, 2, 'its place in the budget is free')
  const again = await clasp('127.0.0.4')
  t.ok(again.opened, 'so a new CLASP caller is accepted again')
  if (again.opened) waiting.push(again)
  t.equal(tunnels().refused.helloBusy, 1)
})
