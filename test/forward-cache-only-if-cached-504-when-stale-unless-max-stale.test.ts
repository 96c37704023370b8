// `only-if-cached` takes only an entry the request may use without the root: a stale one is a 504 (it
// would need revalidating), unless the same request's `max-stale` takes that much staleness; a stale
// answer so taken is marked stale. The root is asked for none of it.
import t from 'tap'
import { startChildWithOrigin } from './helpers/child-site.ts'
import { fetchText } from './helpers/sites.ts'

t.test('only-if-cached with a stale entry: 504, unless max-stale takes it', async (t) => {
  const { origin, site } = await startChildWithOrigin(t, 'cache-oic-stale', {
    clock: t.clock,
    extra: 'forward: { cache: { enabled: true } }\n',
    handler: (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'public, max-age=10', etag: '"v1"' })
      res.end('thing v1')
    },
  })
  const asked = () => origin.seen.filter((r) => r.url.startsWith('/api/')).length
  const path = '/api/v1/repos/acme/stale'
  t.equal((await fetchText(site, path)).body, 'thing v1', 'filled')

  t.clock.advance(40_000) // 30 s past its freshness
  const plain = await fetchText(site, path, { headers: { 'cache-control': 'only-if-cached' } })
  t.equal(plain.status, 504, 'stale: 504')
  t.equal(JSON.parse(plain.body).error.code, 'GW_ERR_NOT_CACHED')
  const tooStale = await fetchText(site, path, { headers: { 'cache-control': 'only-if-cached, max-stale=20' } })
  t.equal(tooStale.status, 504, 'staler than max-stale: 504')

  const taken = await fetchText(site, path, { headers: { 'cache-control': 'only-if-cached, max-stale=60' } })
  t.equal(taken.status, 200, 'within max-stale: answered')
  t.equal(taken.body, 'thing v1')
  t.match(taken.headers['cache-status'], /; hit; ttl=-30; detail=stale/, 'marked stale')
  t.equal(asked(), 1, 'the root was asked only for the fill')
})
