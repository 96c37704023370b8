// A client that pipelines requests on one connection, reads nothing and leaves: Node closes only the
// answer on the connection, never the ones queued behind it. Each queued forwarded answer then held its
// forward connection (its body could not drain) and its place in flight for good: one such burst took
// every forward connection, and every later forwarded request waited for one until 503. Now every
// queued answer is closed with its connection: its forward connection is released, and it is logged 499.
import t from 'tap'
import tls from 'node:tls'
import { request } from 'undici'
import { startChildWithOrigin } from './helpers/child-site.ts'
import { waitFor } from './helpers/sync.ts'

const PIPELINED = 12
const CONNECTIONS = 8

t.test('answers queued behind a pipelined request are released when the client leaves', async (t) => {
  let asked = 0
  const { site } = await startChildWithOrigin(t, 'pipelined', {
    extra: `forward: { connections: ${CONNECTIONS}, timeouts: { queue: 60s } }\n`,
    // A body that keeps coming until the gateway leaves: no answer ends on its own, the first one
    // stalls on the client that reads nothing, and a queued one's forward waits for it to drain.
    handler: (req, res) => {
      asked++
      req.resume()
      res.writeHead(200, { 'content-type': 'application/octet-stream' })
      const tick = setInterval(() => res.write(Buffer.alloc(64 * 1024, 1)), 20)
      res.on('close', () => clearInterval(tick))
    },
  })
  const figures = () => {
    const h = site.gw.health() as { requests: { inFlight: number }; forward: { connections: { busy: number } } }
    return { inFlight: h.requests.inFlight, busy: h.forward.connections.busy }
  }

  const socket = tls.connect({ host: '127.0.0.1', port: Number(new URL(site.url).port), ca: site.ca, servername: 'localhost' })
  socket.on('error', () => {})
  await new Promise((r) => socket.once('secureConnect', r))
  socket.pause() // reads nothing
  socket.write(Array.from({ length: PIPELINED }, (_, i) => `GET /big/${i} HTTP/1.1\r\nHost: localhost\r\n\r\n`).join(''))
  await waitFor('every forward connection taken', () => figures().busy === CONNECTIONS)
  t.ok(asked >= 1, 'the root was asked')
  socket.destroy()

  const after = await waitFor('nothing left in flight', () => {
    const f = figures()
    return f.inFlight === 0 && f.busy === 0 ? f : undefined
  })
  t.same(after, { inFlight: 0, busy: 0 }, 'no request in flight and every forward connection free once the client left')
  const lines = await site.logs.waitFor((l) => typeof l.path === 'string' && l.path.startsWith('/big/'), PIPELINED)
  t.equal(lines.length, PIPELINED, 'one line for each pipelined request')
  t.same(lines.map((l) => l.status), Array(PIPELINED).fill(499), 'each logged as the client leaving (499)')

  const res = await request(site.url + '/after', { dispatcher: site.agent })
  await res.body.dump()
  t.equal(res.statusCode, 200, 'the next client is forwarded as before')
})
