// A root that echoes the credentials it was given in a response header (a WWW-Authenticate error
// description, a debugging header, a redirect's Location) must not hand the site's key to the client
// that asked: a read goes up with the site's key, and any client may make one.
import t from 'tap'
import { startChildWithOrigin } from './helpers/child-site.ts'
import { connectTls, sendRaw } from './helpers/raw-http.ts'

t.test("the site's key echoed in a root's response headers never reaches the client", async (t) => {
  const { site, key } = await startChildWithOrigin(t, 'echo-head', {
    clock: t.clock,
    handler: (req, res) => {
      const auth = String(req.headers.authorization)
      if (req.url === '/moved') {
        res.writeHead(302, { location: `https://elsewhere.example/x?token=${auth.slice('Bearer '.length)}`, 'content-length': 0 })
        return res.end()
      }
      res.writeHead(401, { 'www-authenticate': `Bearer realm="root", error="invalid_token", error_description="${auth} is revoked"`, 'x-seen-authorization': auth, 'content-length': 2 })
      res.end('no')
    },
  })
  const socket = await connectTls(t, site.gw.httpsPort, site.ca)
  const refused = await sendRaw(socket, 'GET /private HTTP/1.1\r\nHost: localhost\r\n\r\n')
  if (refused === 'closed') return t.fail('closed')
  t.equal(refused.status, 401, "the root's answer is passed on")
  t.notOk(JSON.stringify(refused.headers).includes(key), 'no header carries the key')
  t.match(refused.headers['www-authenticate'], /^Bearer realm="root", error="invalid_token"/, 'the rest of the header is kept')
  t.ok(refused.headers['x-seen-authorization'], 'a header that held it is kept, without it')

  const moved = await sendRaw(socket, 'GET /moved HTTP/1.1\r\nHost: localhost\r\n\r\n')
  if (moved === 'closed') return t.fail('closed')
  t.equal(moved.status, 302)
  t.notOk(moved.headers.location?.includes(key), 'a Location built from the key does not carry it')
  t.match(moved.headers.location, /^https:\/\/elsewhere\.example\/x\?token=/)
})
