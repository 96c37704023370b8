// With the forward cache on, a read's error answer goes the cached path: passed on uncached (a 403, a
// 500) or stored and answered again (a 404 the root lets be kept). A root that echoes the site's key in
// such a body must not hand it to any client, neither the one that caused the fill nor those served
// from the entry later, from memory or from disk.
import t from 'tap'
import { startChildWithOrigin } from './helpers/child-site.ts'
import { connectTls, sendRaw } from './helpers/raw-http.ts'

for (const memoryBytes of ['64MiB', '0']) {
  t.test(`the site's key in a root's error body never reaches a client through the cache (memoryBytes ${memoryBytes})`, async (t) => {
    let sent = ''
    const asked: string[] = []
    const { site, key } = await startChildWithOrigin(t, 'cache-echo', {
      clock: t.clock,
      extra: `forward: { cache: { enabled: true, memoryBytes: ${memoryBytes} } }\n`,
      handler: (req, res) => {
        asked.push(String(req.url))
        const auth = String(req.headers.authorization)
        sent = `{"error":"key ${auth} is not valid here","headers":${JSON.stringify(req.headers)}}`
        const split = sent.indexOf(auth) + 12 // inside the key: its two halves come in different writes
        const status = req.url === '/forbidden' ? 403 : req.url === '/broken' ? 500 : 404
        const headers: Record<string, string | number> = { 'content-type': 'application/json' }
        if (req.url !== '/broken') headers['content-length'] = Buffer.byteLength(sent)
        if (status === 404) headers['cache-control'] = 'max-age=600'
        res.writeHead(status, headers)
        res.write(sent.slice(0, split))
        setImmediate(() => res.end(sent.slice(split)))
      },
    })
    const socket = await connectTls(t, site.gw.httpsPort, site.ca)
    for (const [path, status] of [['/forbidden', 403], ['/broken', 500], ['/missing', 404], ['/missing', 404]] as const) {
      const res = await sendRaw(socket, `GET ${path} HTTP/1.1\r\nHost: localhost\r\n\r\n`)
      if (res === 'closed') return t.fail(`${path}: closed`)
      t.equal(res.status, status, `${path}: the root's status is passed on`)
      t.ok(sent.includes(key), 'the root did put the key in its body')
      t.notOk(res.body.includes(key), `${path}: the body does not carry the key`)
      t.equal(res.body.length, sent.length, `${path}: the body keeps its length`)
      t.match(res.body, /^\{"error":"key Bearer \S+ is not valid here"/, `${path}: the rest of the body is kept`)
    }
    t.equal(asked.filter((p) => p === '/missing').length, 1, 'the second /missing came from the stored entry')
  })
}
