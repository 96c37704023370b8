import t from 'tap'
import WebSocket from 'ws'
import { tempDir, startSite, writeSecret } from './helpers/sites.ts'
import { tunnelYaml, tunnelUrl, closed } from './helpers/ws-peers.ts'
import { startClaspHub } from './helpers/clasp-hub.ts'

const hello = (payload: number[]) => {
  const b = Buffer.from([0x53, 0x01, 0, 0, ...payload])
  b.writeUInt16BE(payload.length, 2)
  return b
}

t.test('a malformed or missing HELLO closes the socket with a clear code and the hub sees nothing', async (t) => {
  const hub = await startClaspHub(t)
  const dir = tempDir(t)
  writeSecret(dir, 'federation-tokens.txt', 'good-token-tttt')
  // The fake clock: helloTimeout passes only when the test says so, never while a frame is on its way.
  const site = await startSite(t, tunnelYaml('sofia', hub.url, 'helloTimeout: 5s\nfailures: { limit: 100 }'), { dir, clock: t.clock })
  const cases: [string, Buffer | string | undefined, number, RegExp][] = [
    ['text instead of binary', 'HELLO', 1002, /binary/],
    ['bad magic byte', Buffer.from([0x00, 0x01, 0x00, 0x00]), 1002, /magic/],
    ['length field beyond the frame', Buffer.from([0x53, 0x01, 0xff, 0xff, 0x01]), 1002, /shorter/],
    ['not a HELLO', hello([0x21, 0x00]), 1002, /HELLO/],
    ['name length beyond the payload', hello([0x01, 0x01, 0x80, 0xff, 0xff]), 1002, /truncated/],
    ['token length beyond the payload', hello([0x01, 0x01, 0x80, 0x00, 0x00, 0x00, 0x09, 0x41]), 1002, /truncated/],
    ['legacy MessagePack', hello([0x81, 0xa4, 0x74, 0x79, 0x70, 0x65]), 1002, /MessagePack/],
    ['too short', Buffer.from([0x53]), 1002, /size/],
    ['nothing within helloTimeout', undefined, 1008, /HELLO in time/],
  ]
  for (const [what, frame, code, reason] of cases) {
    const ws = new WebSocket(tunnelUrl(site), ['clasp'], { ca: site.ca })
    ws.on('error', () => {})
    await new Promise((r) => ws.once('open', r))
    const ended = closed(ws)
    if (frame !== undefined) ws.send(frame)
    else t.clock.advance(5000)
    const end = await ended
    t.equal(end.code, code, `${what}: closed with ${code}`)
    t.match(end.reason, reason, `${what}: the reason says why`)
  }
  t.equal(hub.tcpConnections, 0, 'the hub was never contacted')
})
