// A client that takes no stale stand-in (`no-cache`, `min-fresh`) revalidating an entry while the root
// answers 5xx got the root's failure, as it should; but that 5xx, not storable, also dropped the entry
// ("the root now says this must not be kept"), so every client after it lost the stale-if-error answer
// the entry was kept for. A 5xx says nothing about the entry (RFC 9111 §4.3.3): it stays.
import t from 'tap'
import { startChildWithOrigin } from './helpers/child-site.ts'
import { fetchText } from './helpers/sites.ts'

t.test('a 5xx to a revalidation that takes no stand-in keeps the entry for the others', async (t) => {
  let failing = false
  const { site } = await startChildWithOrigin(t, 'cache-5xx-keeps', {
    clock: t.clock,
    extra: 'forward: { cache: { enabled: true } }\n',
    handler: (req, res) => {
      if (!req.url!.startsWith('/api/')) return res.end('ok')
      if (failing) {
        res.writeHead(503, { 'content-type': 'text/plain' })
        return res.end('root trouble')
      }
      res.writeHead(200, { 'content-type': 'text/plain', etag: '"v1"', 'cache-control': 'public, max-age=10, stale-if-error=3600' })
      res.end('thing v1')
    },
  })
  const path = '/api/v1/repos/acme/keeps'
  t.equal((await fetchText(site, path)).body, 'thing v1', 'filled')

  t.clock.advance(60_000)
  failing = true
  for (const cc of ['no-cache', 'min-fresh=5']) {
    const strict = await fetchText(site, path, { headers: { 'cache-control': cc } })
    t.equal(strict.status, 503, `${cc}: the root's failure`)
    const plain = await fetchText(site, path)
    t.equal(plain.status, 200, `a plain request after it still gets the stale entry`)
    t.equal(plain.body, 'thing v1')
    t.match(plain.headers['cache-status'], /detail=stale/)
  }
})
