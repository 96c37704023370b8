// A client's `Cache-Control: no-cache` (or `max-age=0`) takes a stored answer only once the root confirmed
// it (RFC 9111 §5.2.1): a fresh entry is revalidated with the root (conditionally, with its ETag) instead of
// answered as a hit, and such a request is not answered by a hot answer (docs/lifecycle.md, step 1) either.
import t from 'tap'
import { startChildWithOrigin } from './helpers/child-site.ts'
import { fetchText } from './helpers/sites.ts'

t.test('no-cache and max-age=0 from the client reach the root', async (t) => {
  let version = 'v1'
  const asked: (string | undefined)[] = [] // each request's If-None-Match
  const { site } = await startChildWithOrigin(t, 'cache-no-cache', {
    clock: t.clock, // the entry stays fresh, and a hot answer within its second, while the test runs
    extra: 'forward: { cache: { enabled: true } }\n',
    handler: (req, res) => {
      if (req.url !== '/api/v1/thing') return res.end('ok')
      asked.push(req.headers['if-none-match'])
      const headers = { etag: `"${version}"`, 'cache-control': 'public, max-age=300' }
      if (req.headers['if-none-match'] === `"${version}"`) {
        res.writeHead(304, headers)
        return res.end()
      }
      res.writeHead(200, { ...headers, 'content-type': 'text/plain' })
      res.end(`thing ${version}`)
    },
  })
  const path = '/api/v1/thing'
  t.equal((await fetchText(site, path)).body, 'thing v1', 'filled')
  const hit = await fetchText(site, path)
  t.match(hit.headers['cache-status'], /; hit; ttl=/, 'then a fresh hit, offered for repeats')
  t.equal(asked.length, 1, 'the root was asked once')

  version = 'v2'
  const noCache = await fetchText(site, path, { headers: { 'cache-control': 'no-cache' } })
  t.equal(asked.length, 2, 'no-cache: the root was asked')
  t.equal(asked[1], '"v1"', 'conditionally, with the entry\'s ETag')
  t.equal(noCache.status, 200)
  t.equal(noCache.body, 'thing v2', 'the root\'s new answer')
  t.equal((await fetchText(site, path)).body, 'thing v2', 'which replaced the entry')

  const maxAge0 = await fetchText(site, path, { headers: { 'cache-control': 'max-age=0' } })
  t.equal(asked.length, 3, 'max-age=0: the root was asked')
  t.equal(asked[2], '"v2"')
  t.equal(maxAge0.status, 200)
  t.equal(maxAge0.body, 'thing v2')
  t.match(maxAge0.headers['cache-status'], /fwd=stale; fwd-status=304/, 'revalidated with a 304')
})
