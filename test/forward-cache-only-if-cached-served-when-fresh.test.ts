// `Cache-Control: only-if-cached` with a fresh entry stored is answered from it, as a hit, without the
// root (RFC 9111 §5.2.1.7).
import t from 'tap'
import { startChildWithOrigin } from './helpers/child-site.ts'
import { fetchText } from './helpers/sites.ts'

t.test('only-if-cached with a fresh entry: answered from the cache', async (t) => {
  const { origin, site } = await startChildWithOrigin(t, 'cache-oic-fresh', {
    clock: t.clock,
    extra: 'forward: { cache: { enabled: true } }\n',
    handler: (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'public, max-age=300', etag: '"v1"' })
      res.end('thing v1')
    },
  })
  const asked = () => origin.seen.filter((r) => r.url.startsWith('/api/')).length
  const path = '/api/v1/repos/acme/fresh'
  t.equal((await fetchText(site, path)).body, 'thing v1', 'filled')
  t.equal(asked(), 1)

  t.clock.advance(200_000) // still fresh for 100 s
  const res = await fetchText(site, path, { headers: { 'cache-control': 'only-if-cached' } })
  t.equal(res.status, 200)
  t.equal(res.body, 'thing v1', 'the stored answer')
  t.match(res.headers['cache-status'], /; hit; ttl=100\b/, 'a fresh hit')
  const head = await fetchText(site, path, { method: 'HEAD', headers: { 'cache-control': 'only-if-cached' } })
  t.equal(head.status, 200, 'HEAD too')
  t.equal(asked(), 1, 'the root was not asked')
})
