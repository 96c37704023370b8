// CLASP callers are accepted before they authenticate (the token is in HELLO). They used to count towards
// maxConnections until their HELLO deadline, so one address opening sockets and never sending HELLO kept
// the tunnel full. They now hold places in a budget of their own, bounded per address.
import t from 'tap'
import { Clasp } from '@clasp-to/core'
import WebSocket from 'ws'
import { tempDir, startSite, writeSecret } from './helpers/sites.ts'
import { tunnelYaml, tunnelUrl, connect, type Outcome } from './helpers/ws-peers.ts'
import { startClaspHub, installClaspWebSocket } from './helpers/clasp-hub.ts'

type Health = { tunnel: { tunnels: { open: number; pending: number; awaitingHello: number; refused: Record<string, number> }[] } }

t.test('one address opening many never-HELLO sockets cannot stop authenticated callers from getting tunnels', async (t) => {
  const hub = await startClaspHub(t)
  const dir = tempDir(t)
  writeSecret(dir, 'federation-tokens.txt', 'good-token-hhhh')
  // The fake clock never reaches helloTimeout: the silent sockets hold their places for the whole test.
  const site = await startSite(t, tunnelYaml('vilnius', hub.url, 'maxConnections: 2\nhelloBudget: { max: 4, perAddress: 3 }'), { dir, clock: t.clock })
  const tunnels = () => (site.gw.health() as Health).tunnel.tunnels[0]!

  // The attacker, from 127.0.0.2: ten CLASP upgrades in a row, none ever sending HELLO.
  const attacker: Outcome[] = []
  for (let i = 0; i < 10; i++) attacker.push(await connect(site, { protocols: ['clasp'], localAddress: '127.0.0.2' }))
  t.teardown(() => attacker.forEach((a) => a.opened && a.ws.terminate()))
  t.same(attacker.map((a) => (a.opened ? 101 : a.status)), [101, 101, 101, 429, 429, 429, 429, 429, 429, 429], 'three accepted (helloBudget.perAddress), the rest refused at once')
  const over = attacker[3]!
  if (!over.opened) {
    t.match(JSON.parse(over.body), { error: { code: 'GW_ERR_TUNNEL_HELLO_PER_ADDRESS' } }, 'the refusal names its reason')
    t.ok(Number(over.headers['retry-after']) >= 1, 'and says when to come back')
  }
  t.match(tunnels(), { open: 0, pending: 0, awaitingHello: 3, refused: { helloPerAddress: 7, full: 0 } })

  // Authenticated callers from 127.0.0.1 still get both places of maxConnections.
  installClaspWebSocket(site.ca)
  const peer = new Clasp(tunnelUrl(site), { name: 'leaf', token: 'good-token-hhhh', reconnect: false })
  t.teardown(() => peer.close())
  await peer.connect(5000)
  t.ok(peer.connected, 'a CLASP peer with its token in HELLO got WELCOME through the tunnel')
  peer.set('/leaf/state', 'up')
  t.equal(await peer.get('/leaf/state'), 'up', 'and its messages flow')
  const bearer = await connect(site, { headers: { authorization: 'Bearer good-token-hhhh' }, protocols: ['clasp'] })
  t.ok(bearer.opened, 'a caller with Authorization: Bearer got a tunnel')
  t.teardown(() => bearer.opened && bearer.ws.terminate())
  t.match(tunnels(), { open: 2, awaitingHello: 3 }, 'two tunnels open beside the three silent sockets')

  // maxConnections counts authenticated tunnels: the third is refused, the silent sockets are not counted.
  const third = await connect(site, { headers: { authorization: 'Bearer good-token-hhhh' }, protocols: ['clasp'] })
  t.notOk(third.opened, 'past maxConnections authenticated tunnels are refused')
  if (!third.opened) t.match(JSON.parse(third.body), { error: { code: 'GW_ERR_TUNNEL_FULL' } })
  t.ok(attacker.slice(0, 3).every((a) => a.opened && a.ws.readyState === WebSocket.OPEN), 'the silent sockets wait, holding nothing more')
  t.equal(hub.tcpConnections, 2, 'only the authenticated callers reached the hub')
})
