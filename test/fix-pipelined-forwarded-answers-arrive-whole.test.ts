// Pipelined requests forwarded to the root share their client's socket. A 'drain' of that socket could
// come while undici parsed another root connection's answer, and resuming the paused answer then broke
// undici's parser assertion: that answer was cut and logged as a bad root response. Every pipelined
// answer now arrives whole, however the client reads.
import t from 'tap'
import tls from 'node:tls'
import { startChildWithOrigin } from './helpers/child-site.ts'

const PIPELINED = 6
const BYTES = 2 * 1024 * 1024

t.test('pipelined forwarded answers each arrive whole to a slow reader', async (t) => {
  const { site } = await startChildWithOrigin(t, 'pipewhole', {
    handler: (req, res) => {
      req.resume()
      res.writeHead(200, { 'content-length': String(BYTES) })
      res.end(Buffer.alloc(BYTES, 7))
    },
  })
  const socket = tls.connect({ host: '127.0.0.1', port: Number(new URL(site.url).port), ca: site.ca, servername: 'localhost' })
  await new Promise((r) => socket.once('secureConnect', r))
  socket.write(Array.from({ length: PIPELINED }, (_, i) => `GET /whole/${i} HTTP/1.1\r\nHost: localhost\r\n\r\n`).join(''))
  // Reads in small bites with pauses, so the gateway's writes back up and drain many times.
  let received = 0
  await new Promise<void>((resolve, reject) => {
    socket.on('error', reject)
    socket.on('close', () => resolve())
    // Bounded: an answer cut short never lets the count reach the end.
    setTimeout(() => (socket.destroy(), resolve()), 30_000).unref()
    socket.on('data', (d: Buffer) => {
      received += d.length
      socket.pause()
      setTimeout(() => socket.resume(), 1)
      // Every answer's body and a head of under 400 bytes each: then the client is done.
      if (received >= PIPELINED * BYTES) setTimeout(() => socket.end(), 50)
    })
  })
  const lines = await site.logs.waitFor((l) => typeof l.path === 'string' && l.path.startsWith('/whole/'), PIPELINED)
  t.same(
    lines.map((l) => [l.status, l.error]),
    Array(PIPELINED).fill([200, undefined]),
    'each answer sent whole, none cut as a bad root response',
  )
  t.ok(received > PIPELINED * BYTES && received < PIPELINED * (BYTES + 400), 'the client got every body')
})
