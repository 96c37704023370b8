// A client's `Cache-Control: no-cache` asks for an answer the root has confirmed (RFC 9111 §5.2.1.4). When
// the root failed that revalidation, the cache still answered the stale entry (its stale-if-error), as it
// does for other clients. Such a client now gets the root's failure; and an HTTP/1.0 client's
// `Pragma: no-cache` (no Cache-Control) counts as no-cache (§5.4): it was answered from the entry.
import t from 'tap'
import { startChildWithOrigin } from './helpers/child-site.ts'
import { fetchText } from './helpers/sites.ts'

t.test('no-cache is never answered by a stale stand-in; Pragma: no-cache revalidates', async (t) => {
  let failing = false
  let asked = 0
  const { site } = await startChildWithOrigin(t, 'cache-no-stale', {
    clock: t.clock,
    extra: 'forward: { cache: { enabled: true } }\n',
    handler: (req, res) => {
      if (req.url !== '/api/v1/thing') return res.end('ok')
      asked++
      if (failing) {
        res.writeHead(500, { 'content-type': 'text/plain' })
        return res.end('root trouble')
      }
      res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'public, max-age=60, stale-if-error=3600', etag: '"v1"' })
      res.end('thing v1')
    },
  })
  const path = '/api/v1/thing'
  t.equal((await fetchText(site, path)).body, 'thing v1', 'filled')
  t.equal((await fetchText(site, path, { headers: { pragma: 'no-cache' } })).body, 'thing v1', 'Pragma: no-cache on a fresh entry')
  t.equal(asked, 2, 'reached the root (a revalidation), not answered from the entry')

  t.clock.advance(120_000) // stale now, within its stale-if-error
  failing = true
  const plain = await fetchText(site, path)
  t.equal(plain.status, 200, 'a plain request gets the stale entry while the root fails')
  t.match(plain.headers['cache-status'], /stale/, 'marked stale')
  const noCache = await fetchText(site, path, { headers: { 'cache-control': 'no-cache' } })
  t.ok(noCache.status >= 500, `a no-cache request gets the root's failure (${noCache.status}), not the stale entry`)
  t.notMatch(noCache.body, /thing v1/, 'never its body')
})
