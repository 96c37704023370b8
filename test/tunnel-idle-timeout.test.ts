import t from 'tap'
import { tempDir, startSite, writeSecret } from './helpers/sites.ts'
import { startEchoUpstream, tunnelYaml, connect, roundTrip, closed } from './helpers/ws-peers.ts'

t.test('a tunnel with no message either way for idleTimeout is closed with 1001 on both sides', async (t) => {
  const upstream = await startEchoUpstream(t)
  const dir = tempDir(t)
  writeSecret(dir, 'federation-tokens.txt', 'idle-token-wwww')
  // The fake clock: the tunnel is idle exactly as long as the test says, whatever the machine's load.
  const site = await startSite(t, tunnelYaml('helsinki', upstream.url, 'idleTimeout: 2s'), { dir, clock: t.clock })
  const out = await connect(site, { headers: { authorization: 'Bearer idle-token-wwww' } })
  if (!out.opened) return t.fail('not opened')
  t.equal((await roundTrip(out.ws, 'once')).toString(), 'once')
  t.clock.advance(1000)
  t.equal((await roundTrip(out.ws, 'twice')).toString(), 'twice', 'idle for less than idleTimeout: still open')
  const upstreamEnd = new Promise<number>((r) => [...upstream.sockets][0]!.once('close', (code) => r(code)))
  const ended = closed(out.ws)
  t.clock.advance(1000)
  t.equal(out.ws.readyState, out.ws.OPEN, 'a message moved the deadline')
  t.clock.advance(1000)
  const end = await ended
  t.equal(end.code, 1001)
  t.match(end.reason, /idle/)
  t.equal(await upstreamEnd, 1001, 'the upstream side is closed too')
})
