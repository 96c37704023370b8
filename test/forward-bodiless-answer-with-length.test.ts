// A 304 keeps its Content-Length (the representation's, RFC 9110 §8.6) and has no body; undici holds it
// to that length all the same. Such answers, and a 204, end with their head: the client gets them on a
// connection that stays usable, and the root is not blamed.
import t from 'tap'
import https from 'node:https'
import { startChildWithOrigin } from './helpers/child-site.ts'

t.test('304 and 204 answers carrying Content-Length reach the client whole', async (t) => {
  const { site } = await startChildWithOrigin(t, 'bodiless', {
    clock: t.clock,
    handler: (req, res) => {
      if (req.url === '/blob' && req.headers['if-none-match'] === '"v1"') res.writeHead(304, { etag: '"v1"', 'content-length': '11' })
      else if (req.url === '/blob') res.writeHead(200, { etag: '"v1"', 'content-length': '11' })
      else if (req.url === '/nothing') res.writeHead(204, { 'content-length': '5' })
      res.end(res.statusCode === 200 ? 'hello world' : undefined)
    },
  })
  // Node's client reads a 304 by its status (undici's would refuse the length itself), over one
  // keep-alive connection: a dropped connection shows as an error or a new socket.
  const agent = new https.Agent({ keepAlive: true, maxSockets: 1, ca: site.ca })
  t.teardown(() => agent.destroy())
  const sockets = new Set<unknown>()
  const get = (path: string, headers: Record<string, string> = {}) =>
    new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
      const req = https.get({ host: '127.0.0.1', port: site.gw.httpsPort, servername: 'localhost', path, headers, agent }, (res) => {
        sockets.add(res.socket)
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (c: string) => (body += c))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
        res.on('error', reject)
      })
      req.on('error', reject)
    })
  for (let i = 0; i < 3; i++) {
    const res = await get('/blob', { 'if-none-match': '"v1"' })
    t.equal(res.status, 304, `conditional GET ${i + 1}: 304`)
    t.equal(res.headers.etag, '"v1"')
  }
  const empty = await get('/nothing')
  t.equal(empty.status, 204, '204')
  t.equal(empty.headers['content-length'], undefined, 'a 204 goes without a length (RFC 9110 §8.6)')
  const whole = await get('/blob')
  t.equal(whole.body, 'hello world', 'then a full answer')
  t.equal(sockets.size, 1, 'all on the one connection')

  t.equal(site.gw.rootHealth!.breaker.lastError, undefined, 'no failure counted against the root')
  const lines = await site.logs.waitFor((l) => l.msg === 'request', 5)
  t.same(
    lines.map((l) => `${l.status} ${l.error ?? '-'}`),
    ['304 -', '304 -', '304 -', '204 -', '200 -'],
    'logged as answered',
  )
})
