// A request offering an upgrade the site does not do (Upgrade: h2c from curl --http2 or Java's client,
// or a WebSocket upgrade no tunnel takes) is answered as the plain request it also is: guard, routes,
// in-flight count, request log, keep-alive, body and graceful stop as for any request.
import t from 'tap'
import { startOrigin, startSite, tempDir, writeSecret } from './helpers/sites.ts'
import { connectTcp, connectTls, sendRaw } from './helpers/raw-http.ts'
import { adminKeyOf } from './helpers/hub.ts'

const H2C = 'Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n'

t.test('an upgrade nobody takes is served as a plain request', async (t) => {
  let release!: () => void
  const released = new Promise<void>((r) => (release = r))
  let arrived!: () => void
  const slowArrived = new Promise<void>((r) => (arrived = r))
  const origin = await startOrigin(t, (req, res) => {
    let body = ''
    req.on('data', (c) => (body += c))
    req.on('end', () => {
      if (req.url === '/slow') {
        arrived()
        return void released.then(() => res.end('slow answer'))
      }
      res.end(`got ${req.method} ${req.url} ${body}`)
    })
  })
  const dir = tempDir(t)
  writeSecret(dir, 'root.key', 'fgk_h2c_' + 'h'.repeat(30))
  const site = await startSite(
    t,
    `site: { name: h2c, role: child }
listen:
  https: { host: 127.0.0.1, port: 0 }
  http: { host: 127.0.0.1, port: 0, redirectToHttps: false }
tls: { dir: certs }
root: { url: ${origin.url}, key: file:./root.key, allowPlainHttpKey: true, health: { interval: 1h } }
forward: { allowWrites: true }
shutdown: { grace: 1m }
`,
    { dir },
  )

  const tls = await connectTls(t, site.gw.httpsPort, site.ca)
  const admin = await adminKeyOf(site)
  const health = await sendRaw(tls, `GET /health HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${admin}\r\n${H2C}\r\n`)
  t.equal(health !== 'closed' && health.status, 200, 'GET /health offering h2c over TLS: 200')
  if (health !== 'closed') t.equal(JSON.parse(health.body).site, 'h2c')
  const again = await sendRaw(tls, 'GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n')
  t.equal(again !== 'closed' && again.status, 200, 'the connection is kept alive for the next request')

  const tcp = await connectTcp(t, site.gw.httpPort!)
  const post = await sendRaw(tcp, `POST /api/echo HTTP/1.1\r\nHost: localhost\r\n${H2C}Content-Length: 5\r\n\r\n`, 'hello')
  t.equal(post !== 'closed' && post.body, 'got POST /api/echo hello', 'a body sent with the offer reaches the root (plain HTTP)')
  const ws = await sendRaw(
    tcp,
    'GET /nowhere HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
  )
  t.equal(ws !== 'closed' && ws.body, 'got GET /nowhere ', 'a WebSocket upgrade to a path no tunnel takes is forwarded as a plain GET')
  t.equal(origin.seen.find((s) => s.url === '/nowhere')?.headers.upgrade, undefined, 'without its Upgrade header')
  const bad = await sendRaw(tcp, `GET /a/%2e%2e/b HTTP/1.1\r\nHost: localhost\r\n${H2C}\r\n`)
  t.equal(bad !== 'closed' && JSON.parse(bad.body).error.code, 'GW_ERR_BAD_PATH', 'the guard runs')

  const lines = await site.logs.waitFor((l) => l.msg === 'request', 5)
  t.same(
    lines.map((l) => `${l.method} ${l.path} ${l.status}`),
    ['GET /health 200', 'GET /health 200', 'POST /api/echo 200', 'GET /nowhere 200', 'GET (refused) 400'],
    'each logged',
  )

  // In flight while the site stops: counted, so the stop waits for it; idle kept-alive sockets do not hold it.
  const slowSocket = await connectTls(t, site.gw.httpsPort, site.ca)
  const slow = sendRaw(slowSocket, `GET /slow HTTP/1.1\r\nHost: localhost\r\n${H2C}\r\n`)
  await slowArrived
  let stopped = false
  const closing = site.gw.close().then(() => (stopped = true))
  await new Promise((r) => setTimeout(r, 200))
  t.notOk(stopped, 'the stop waits for the in-flight request')
  release()
  const slowRes = await slow
  t.equal(slowRes !== 'closed' && slowRes.body, 'slow answer', 'which completes')
  let timer: NodeJS.Timeout | undefined
  const outcome = await Promise.race([closing.then(() => 'stopped'), new Promise((r) => (timer = setTimeout(() => r('still waiting'), 5000)))])
  clearTimeout(timer)
  t.equal(outcome, 'stopped', 'then the site stops, with the kept-alive connections still open at the client')
})
