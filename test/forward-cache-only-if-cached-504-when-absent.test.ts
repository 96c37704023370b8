// A client's `Cache-Control: only-if-cached` (RFC 9111 §5.2.1.7) with nothing stored for its target is
// answered 504 GW_ERR_NOT_CACHED from the catalogue, and the root never sees the request: not for a GET,
// nor for a HEAD or a Range request (which pass through uncached when there is no entry), nor for a
// `no-store` read, which never goes through the cache.
import t from 'tap'
import { startChildWithOrigin } from './helpers/child-site.ts'
import { fetchText } from './helpers/sites.ts'

t.test('only-if-cached with nothing stored: 504, the root not asked', async (t) => {
  const { origin, site } = await startChildWithOrigin(t, 'cache-oic-absent', {
    clock: t.clock,
    extra: 'forward: { cache: { enabled: true } }\n',
    handler: (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'public, max-age=300' })
      res.end('from the root')
    },
  })
  const asked = () => origin.seen.filter((r) => r.url.startsWith('/api/')).length
  const path = '/api/v1/repos/acme/absent'

  const get = await fetchText(site, path, { headers: { 'cache-control': 'only-if-cached' } })
  t.equal(get.status, 504, 'GET: 504')
  t.equal(JSON.parse(get.body).error.code, 'GW_ERR_NOT_CACHED', 'the catalogue\'s code')
  t.notMatch(get.body, /from the root/)

  const head = await fetchText(site, path, { method: 'HEAD', headers: { 'cache-control': 'only-if-cached' } })
  t.equal(head.status, 504, 'HEAD: 504')
  const range = await fetchText(site, path, { headers: { 'cache-control': 'only-if-cached', range: 'bytes=0-3' } })
  t.equal(range.status, 504, 'Range: 504')
  const noStore = await fetchText(site, path, { headers: { 'cache-control': 'no-store, only-if-cached' } })
  t.equal(noStore.status, 504, 'no-store, which bypasses the cache: 504')
  t.equal(asked(), 0, 'the root saw none of them')

  // The same target without the directive reaches the root.
  t.equal((await fetchText(site, path)).body, 'from the root')
  t.equal(asked(), 1)
})
