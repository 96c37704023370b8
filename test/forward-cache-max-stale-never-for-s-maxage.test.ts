// `s-maxage` carries proxy-revalidate for a shared cache (RFC 9111 §5.2.2.10): a client's `max-stale`
// does not take such an entry once stale; it is revalidated. An entry with only `max-age` is taken.
import t from 'tap'
import { startChildWithOrigin } from './helpers/child-site.ts'
import { fetchText } from './helpers/sites.ts'

t.test('max-stale does not take a stale s-maxage entry', async (t) => {
  const conditional: string[] = []
  const { site } = await startChildWithOrigin(t, 'cache-max-stale-smax', {
    clock: t.clock,
    extra: 'forward: { cache: { enabled: true } }\n',
    handler: (req, res) => {
      if (!req.url!.startsWith('/api/')) return res.end('ok')
      const headers = { etag: '"v1"', 'cache-control': req.url === '/api/shared' ? 'public, s-maxage=10, max-age=10' : 'public, max-age=10' }
      if (req.headers['if-none-match'] === '"v1"') {
        conditional.push(req.url!)
        res.writeHead(304, headers)
        return res.end()
      }
      res.writeHead(200, { ...headers, 'content-type': 'text/plain' })
      res.end('thing v1')
    },
  })
  t.equal((await fetchText(site, '/api/shared')).status, 200)
  t.equal((await fetchText(site, '/api/private-age')).status, 200)

  t.clock.advance(40_000)
  const shared = await fetchText(site, '/api/shared', { headers: { 'cache-control': 'max-stale=3600' } })
  t.match(shared.headers['cache-status'], /fwd=stale; fwd-status=304/, 's-maxage: revalidated')
  const plain = await fetchText(site, '/api/private-age', { headers: { 'cache-control': 'max-stale=3600' } })
  t.match(plain.headers['cache-status'], /; hit; ttl=-30; detail=stale/, 'max-age only: served stale')
  t.same(conditional, ['/api/shared'], 'the root was asked for the s-maxage entry only')
})
