// A client's `max-stale` never takes a stale entry whose root said `must-revalidate`, `proxy-revalidate`
// or `no-cache` (RFC 9111 §5.2.2.2, §5.2.2.4, §5.2.2.8): such an entry is revalidated with the root, and
// with `only-if-cached` it is a 504.
import t from 'tap'
import { startChildWithOrigin } from './helpers/child-site.ts'
import { fetchText } from './helpers/sites.ts'

const MARKS = { '/api/must': 'public, max-age=10, must-revalidate', '/api/proxy': 'public, max-age=10, proxy-revalidate', '/api/no-cache': 'public, no-cache' } as Record<string, string>

t.test('max-stale does not take must-revalidate, proxy-revalidate or no-cache entries', async (t) => {
  const conditional: string[] = []
  const { site } = await startChildWithOrigin(t, 'cache-max-stale-mr', {
    clock: t.clock,
    extra: 'forward: { cache: { enabled: true } }\n',
    handler: (req, res) => {
      const cc = MARKS[req.url!]
      if (!cc) return res.end('ok')
      const headers = { etag: '"v1"', 'cache-control': cc }
      if (req.headers['if-none-match'] === '"v1"') {
        conditional.push(req.url!)
        res.writeHead(304, headers)
        return res.end()
      }
      res.writeHead(200, { ...headers, 'content-type': 'text/plain' })
      res.end(`thing at ${req.url}`)
    },
  })
  for (const path of Object.keys(MARKS)) t.equal((await fetchText(site, path)).status, 200, `${path} filled`)

  t.clock.advance(40_000) // every entry stale
  for (const path of Object.keys(MARKS)) {
    const res = await fetchText(site, path, { headers: { 'cache-control': 'max-stale=3600' } })
    t.equal(res.body, `thing at ${path}`)
    t.match(res.headers['cache-status'], /fwd=stale; fwd-status=304/, `${path}: revalidated, not served stale`)
  }
  t.same(conditional, Object.keys(MARKS), 'the root was asked for each')

  t.clock.advance(40_000)
  for (const path of Object.keys(MARKS)) {
    const res = await fetchText(site, path, { headers: { 'cache-control': 'only-if-cached, max-stale' } })
    t.equal(res.status, 504, `${path}: only-if-cached, max-stale: 504`)
  }
  t.equal(conditional.length, Object.keys(MARKS).length, 'and not asked for those')
})
