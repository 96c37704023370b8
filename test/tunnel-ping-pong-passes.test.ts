import t from 'tap'
import type WebSocket from 'ws'
import { tempDir, startSite, writeSecret } from './helpers/sites.ts'
import { startEchoUpstream, tunnelYaml, connect, roundTrip } from './helpers/ws-peers.ts'

const once = (ws: WebSocket, event: 'ping' | 'pong') => new Promise<string>((resolve) => ws.once(event, (data: Buffer) => resolve(data.toString())))

t.test("a peer's ping reaches the other side through the tunnel, and its pong comes back", async (t) => {
  const upstream = await startEchoUpstream(t)
  const dir = tempDir(t)
  writeSecret(dir, 'federation-tokens.txt', 'ping-token-bbbb')
  const site = await startSite(t, tunnelYaml('riga', upstream.url), { dir })
  const out = await connect(site, { headers: { authorization: 'Bearer ping-token-bbbb' } })
  if (!out.opened) return t.fail('not opened')
  const far = [...upstream.sockets][0]!

  const pingedUpstream = once(far, 'ping')
  const callerPong = once(out.ws, 'pong')
  out.ws.ping('from the caller')
  t.equal(await pingedUpstream, 'from the caller', 'the upstream gets the caller’s ping')
  t.equal(await callerPong, 'from the caller', 'the caller gets the upstream’s pong')

  const pingedCaller = once(out.ws, 'ping')
  const upstreamPong = once(far, 'pong')
  far.ping('from the upstream')
  t.equal(await pingedCaller, 'from the upstream', 'the caller gets the upstream’s ping')
  t.equal(await upstreamPong, 'from the upstream', 'the upstream gets the caller’s pong')

  t.equal((await roundTrip(out.ws, 'still open')).toString(), 'still open', 'messages still pass after')
})
