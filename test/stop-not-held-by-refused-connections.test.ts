// A refused upgrade, or a request Node's parser refused, is answered and its connection closed by the
// gateway: a client that keeps its own side open can neither hold the socket nor hold a graceful stop.
import t from 'tap'
import type tls from 'node:tls'
import { startSite, tempDir, writeSecret } from './helpers/sites.ts'
import { connectTls, readResponse } from './helpers/raw-http.ts'

const UPGRADE = 'GET /federation HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n'

t.test('refused connections whose clients stay half-open do not hold the stop', async (t) => {
  const dir = tempDir(t)
  writeSecret(dir, 'federation-tokens.txt', 'tok_good_123456789')
  const site = await startSite(
    t,
    `site: { name: halfopen, role: root }
listen:
  https: { host: 127.0.0.1, port: 0 }
tls: { dir: certs }
shutdown: { grace: 1h }
tunnels:
  - { path: /federation, upstream: "ws://127.0.0.1:1/x", tokens: "file:./federation-tokens.txt" }
`,
    { dir },
  )
  // Each client keeps its side open after the answer (allowHalfOpen), as a careless or hostile one may.
  const refused = async (request: string) => {
    const s: tls.TLSSocket = await connectTls(t, site.gw.httpsPort, site.ca)
    s.allowHalfOpen = true
    const ended = new Promise<void>((r) => s.once('end', () => r()))
    s.write(request)
    const res = await readResponse(s)
    await ended
    return res === 'closed' ? 0 : res.status
  }
  t.equal(await refused(UPGRADE + 'Authorization: Bearer wrong-token-xxxx\r\n\r\n'), 401, 'a tunnel upgrade with a bad token: 401')
  t.equal(await refused(UPGRADE.replace('13', '8') + 'Authorization: Bearer tok_good_123456789\r\n\r\n'), 400, 'a WebSocket upgrade ws would refuse: 400')
  t.equal(await refused('GET / HTTP/1.1\r\nHost: localhost\r\nBad Header: y\r\n\r\n'), 400, 'a head the parser refuses: 400')

  // Held by those clients, the stop would wait the whole grace (1 h): 30 s tells the two apart even on a
  // loaded machine.
  const started = Date.now()
  let timer: NodeJS.Timeout | undefined
  const outcome = await Promise.race([site.gw.close().then(() => 'stopped'), new Promise((r) => (timer = setTimeout(() => r('still waiting'), 30_000)))])
  clearTimeout(timer)
  t.equal(outcome, 'stopped', `the stop does not wait for those clients (${Date.now() - started} ms with shutdown.grace 1h)`)
})
