// The gateway pings each side of a tunnel every pingInterval and drops a side that has not answered by the
// next one. Any pong counted as the answer, so a peer sending pongs of its own (a heartbeat, or a pong for
// a ping it saw long ago) hid that it had stopped answering. Only a pong carrying the outstanding ping's
// application data (RFC 6455 §5.5.3) answers it now; the peer's own pongs still pass through.
import t from 'tap'
import { tempDir, startSite, writeSecret } from './helpers/sites.ts'
import { startEchoUpstream, tunnelYaml } from './helpers/ws-peers.ts'
import { clientFrame, rawCaller, type RawCaller, type ServerFrame } from './helpers/raw-ws.ts'

const PING = 0x9
const PONG = 0xa

/** The next frame with this opcode (others skipped); 'closed' when the socket ends first. */
async function next(caller: RawCaller, opcode: number): Promise<ServerFrame | 'closed'> {
  for (;;) {
    const f = await caller.frame()
    if (f === 'closed' || f.opcode === opcode) return f
  }
}

t.test('a pong that does not carry the outstanding ping’s data does not keep a silent peer', async (t) => {
  t.setTimeout(10_000)
  const upstream = await startEchoUpstream(t)
  const upstreamPongs: string[] = []
  upstream.wss.on('connection', (ws) => ws.on('pong', (d: Buffer) => upstreamPongs.push(d.toString())))
  const dir = tempDir(t)
  writeSecret(dir, 'federation-tokens.txt', 'pong-token-mmmm')
  const site = await startSite(t, tunnelYaml('narva', upstream.url, 'pingInterval: 1s\nidleTimeout: 0'), { dir, clock: t.clock })
  const caller = await rawCaller(t, site.gw.httpsPort, site.ca, 'Authorization: Bearer pong-token-mmmm\r\n')
  /**
   * A message there and back: the gateway has read what the caller sent before it, and what the upstream
   * sent before its echo (the upstream's answer to the gateway's ping).
   */
  const roundTrip = async () => {
    caller.socket.write(clientFrame(0x1, Buffer.from('sync')))
    const echo = await next(caller, 0x1)
    if (echo === 'closed') throw new Error('closed before the echo')
  }
  const pong = (data: Buffer | string) => caller.socket.write(clientFrame(PONG, Buffer.from(data)))

  // Before any ping: a heartbeat pong of the caller's own, passed on.
  pong('caller heartbeat')
  await roundTrip()
  t.same(upstreamPongs, ['caller heartbeat'], 'the caller’s own pong reaches the upstream')

  t.clock.advance(1000)
  const first = await next(caller, PING)
  if (first === 'closed') return t.fail('closed instead of pinged')
  pong(first.payload)
  await roundTrip()

  t.clock.advance(1000)
  const second = await next(caller, PING)
  t.not(second, 'closed', 'a caller that answered the ping is pinged again, not dropped')
  if (second === 'closed') return
  // Not this ping's answer: the previous ping's data again, and a heartbeat of its own.
  pong(first.payload)
  pong('caller heartbeat')
  await roundTrip()
  t.same(upstreamPongs, ['caller heartbeat', 'caller heartbeat'], 'its own pongs still pass through; the gateway’s are not passed on')

  t.clock.advance(1000)
  t.equal(await next(caller, PING), 'closed', 'a caller that did not answer the outstanding ping is dropped at the next sweep')
})
