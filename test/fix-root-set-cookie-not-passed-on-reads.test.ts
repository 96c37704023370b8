// A cookie the root sets in answer to a read made with the site's key belongs to the site's identity
// (a session for its key): it never reaches the client. On an allowed write, made with the client's own
// credentials, the root's cookie is the client's and passes.
import t from 'tap'
import { startChildWithOrigin } from './helpers/child-site.ts'
import { fetchText } from './helpers/sites.ts'

t.test("the root's Set-Cookie is dropped on site-key reads and passed on the client's own writes", async (t) => {
  const { origin, site, key } = await startChildWithOrigin(t, 'cookies', {
    clock: t.clock,
    extra: '  health: { interval: 1h }\nforward: { allowWrites: true, passCookies: true }\n',
    handler: (req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', 'set-cookie': ['session=for-whoever-asked; HttpOnly', 'other=1'], 'x-kept': 'yes' })
      res.end(req.method === 'HEAD' ? undefined : 'ok')
    },
  })
  for (const method of ['GET', 'HEAD', 'OPTIONS']) {
    const res = await fetchText(site, '/private/thing', { method, headers: { cookie: 'mine=1' } })
    t.equal(res.status, 200, `${method}: answered`)
    t.equal(res.headers['set-cookie'], undefined, `${method}: no Set-Cookie reaches the client`)
    t.equal(res.headers['x-kept'], 'yes', `${method}: the root's other headers pass`)
  }
  t.equal(origin.seen[0]!.headers.authorization, `Bearer ${key}`, 'those reads went with the site key')

  const write = await fetchText(site, '/private/thing', { method: 'POST', headers: { authorization: 'Bearer client-own-key' }, body: 'x' })
  t.equal(write.status, 200)
  t.same(write.headers['set-cookie'], ['session=for-whoever-asked; HttpOnly', 'other=1'], "on a write with the client's own credentials, it passes")
  t.equal(origin.seen.at(-1)!.headers.authorization, 'Bearer client-own-key')
})
