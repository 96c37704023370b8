// A cacheable forwarded read is kept: the next request is answered from the cache without the root,
// also once the root is stopped, and the request log and /health say how each answer was found.
import t from 'tap'
import { cacheOf, startChildWithOrigin } from './helpers/child-site.ts'
import { fetchText } from './helpers/sites.ts'

t.test('a fresh cached answer is served with the root stopped', async (t) => {
  let n = 0
  const { origin, site } = await startChildWithOrigin(t, 'cache-stopped', {
    extra: 'forward: { cache: { enabled: true } }\n',
    handler: (req, res) => {
      if (req.url!.startsWith('/api/')) n++
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'public, max-age=300', etag: '"v1"' })
      res.end(JSON.stringify({ n, path: req.url }))
    },
  })
  const first = await fetchText(site, '/api/v1/repos/acme/tool?x=1')
  t.equal(first.status, 200)
  t.match(first.headers['cache-status'], /fwd=miss/) // chunked (no Content-Length): not claimed stored as its head leaves
  const second = await fetchText(site, '/api/v1/repos/acme/tool?x=1')
  t.equal(second.body, first.body, 'the same answer')
  t.match(second.headers['cache-status'], /; hit; ttl=\d+/)
  t.equal(n, 1, 'the root was asked once')

  await origin.close()
  const third = await fetchText(site, '/api/v1/repos/acme/tool?x=1')
  t.equal(third.status, 200, 'served with the root stopped')
  t.equal(third.body, first.body)
  const other = await fetchText(site, '/api/v1/repos/acme/tool?x=2')
  t.equal(other.status, 503, 'another query is another entry, not cached')

  const lines = await site.logs.waitFor((l) => l.msg === 'request' && String(l.path).startsWith('/api/v1/repos/acme/tool'), 4)
  t.same(lines.map((l) => l.cache), ['miss', 'hit', 'hit', 'miss'], 'the request log says how each was found')
  const health = { forward: { cache: cacheOf(site) } }
  t.equal(health.forward.cache.entries, 1)
  t.equal(health.forward.cache.hit, 2)
  t.equal(health.forward.cache.miss, 1)
})
