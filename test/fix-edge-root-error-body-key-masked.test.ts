// A root's error answer whose body holds the credentials it was given (a "key … is not valid" message,
// a dump of the request's headers) must not hand the site's key to the client that asked. The body is
// masked as it streams, keeping its length, also when the key is split between the root's writes.
import t from 'tap'
import { startChildWithOrigin } from './helpers/child-site.ts'
import { connectTls, sendRaw } from './helpers/raw-http.ts'

t.test("the site's key in a root's error body never reaches the client", async (t) => {
  let sent = ''
  const { site, key } = await startChildWithOrigin(t, 'echo-body', {
    clock: t.clock,
    handler: (req, res) => {
      const auth = String(req.headers.authorization)
      sent = `{"error":"key ${auth} is not valid here","headers":${JSON.stringify(req.headers)}}`
      const split = sent.indexOf(auth) + 12 // inside the key: its two halves come in different writes
      if (req.url === '/length') {
        res.writeHead(403, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(sent) })
      } else res.writeHead(500, { 'content-type': 'application/json' })
      res.write(sent.slice(0, split))
      setImmediate(() => res.end(sent.slice(split)))
    },
  })
  const socket = await connectTls(t, site.gw.httpsPort, site.ca)
  for (const [path, status] of [['/length', 403], ['/chunked', 500]] as const) {
    const res = await sendRaw(socket, `GET ${path} HTTP/1.1\r\nHost: localhost\r\n\r\n`)
    if (res === 'closed') return t.fail(`${path}: closed`)
    t.equal(res.status, status, `${path}: the root's status is passed on`)
    t.ok(sent.includes(key), 'the root did put the key in its body')
    t.notOk(res.body.includes(key), `${path}: the body does not carry the key`)
    t.equal(res.body.length, sent.length, `${path}: the body keeps its length`)
    t.match(res.body, /^\{"error":"key Bearer \S+ is not valid here"/, `${path}: the rest of the body is kept`)
  }
})
