// Every child runs the npm plugin (an npm client needs no configuration), and its write guard took any
// write to a path shaped like a package: with forward.allowWrites true, a hub client's `POST /login`
// got 405 "npm.allowWrites is false", though npm never POSTs there. Another client's POST to such a path
// is now the forward plugin's: under forward.allowWrites it reaches the root. npm's own writes (PUT,
// DELETE, and POSTs from the npm client) stay refused.
import t from 'tap'
import { fetchText } from './helpers/sites.ts'
import { startChildWithOrigin } from './helpers/child-site.ts'

t.test("another client's POST to a package-shaped path is forwarded; npm's writes stay refused", async (t) => {
  const { origin, site } = await startChildWithOrigin(t, 'posts', { extra: 'forward: { allowWrites: true }\n', clock: t.clock })
  const writes = () => origin.seen.filter((s) => s.method !== 'GET').map((s) => `${s.method} ${s.url}`)
  for (const path of ['/login', '/Foo', '/x']) {
    const r = await fetchText(site, path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
    t.equal(r.status, 200, `POST ${path} is forwarded`)
  }
  t.same(writes(), ['POST /login', 'POST /Foo', 'POST /x'], 'the root got each one')
  const npmPost = await fetchText(site, '/x', { method: 'POST', headers: { 'content-type': 'application/json', 'user-agent': 'npm/10.8.2 node/v20.20.2 linux x64 workspaces/false' }, body: '{}' })
  t.equal(npmPost.status, 405, "the npm client's POST is still npm's, refused")
  const put = await fetchText(site, '/x', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{}' })
  t.equal(put.status, 405, 'a PUT to a package (a publish) is still refused')
  t.equal(writes().length, 3, 'neither reached the root')
})
