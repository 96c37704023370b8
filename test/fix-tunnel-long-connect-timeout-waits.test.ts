// `tunnels.connectTimeout` is a duration with no upper bound, and Node fires a timer longer than 2^31-1
// ms (about 596 h) after 1 ms: an operator who set 600h to mean "wait as long as it takes" had every
// tunnel fail at once with GW_ERR_TUNNEL_UPSTREAM_TIMEOUT. The wait is taken in steps, as the site's
// other long waits are: an upstream that answers its upgrade a moment later is reached.
import t from 'tap'
import http from 'node:http'
import { createHash } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { openUpstream } from '../plugins/tunnel/upstream.ts'
import { systemClock } from '../gateway/util/clock.ts'

const HOURS_600 = 600 * 60 * 60 * 1000

t.test('an upstream reached within a connectTimeout past 596 h opens its tunnel', async (t) => {
  const server = http.createServer()
  const sockets: { destroy(): void }[] = []
  server.on('upgrade', (req, socket) => {
    sockets.push(socket)
    const accept = createHash('sha1').update(`${req.headers['sec-websocket-key']}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64')
    // A moment later than a timer that fires at once.
    setTimeout(() => socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`), 100)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  t.teardown(() => {
    for (const s of sockets) s.destroy()
    return new Promise<void>((r) => server.close(() => r()))
  })
  const url = new URL(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/hub`)
  const stop = new AbortController()
  const opened = await openUpstream({ url, maxMessageBytes: 1024, connectTimeout: HOURS_600, clock: systemClock }, [], {}, stop.signal).then(
    (endpoint) => {
      endpoint.socket.destroy()
      return 'opened'
    },
    (err: Error & { code?: string }) => err.code ?? err.message,
  )
  t.equal(opened, 'opened', 'the tunnel to the upstream opened')
})
