// Within stale-while-revalidate a stale entry is answered at once, marked stale, while one background
// request refreshes it; the next request gets the refreshed answer from the cache.
import t from 'tap'
import { cacheOf, startChildWithOrigin } from './helpers/child-site.ts'
import { fetchText } from './helpers/sites.ts'

t.test('stale-while-revalidate: answered at once, refreshed in the background', async (t) => {
  let version = 1
  let hold: Promise<void> = Promise.resolve()
  let asked = 0
  const { site } = await startChildWithOrigin(t, 'cache-swr', {
    clock: t.clock,
    extra: 'forward: { cache: { enabled: true } }\n',
    handler: (req, res) => {
      if (!req.url!.startsWith('/api/')) return res.end('ok')
      asked++
      const v = version
      void hold.then(() => {
        res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'max-age=10, stale-while-revalidate=60' })
        res.end(`version ${v}`)
      })
    },
  })
  const path = '/api/v1/repos/acme/swr'
  t.equal((await fetchText(site, path)).body, 'version 1')

  t.clock.advance(20_000)
  version = 2
  let release: () => void = () => {}
  hold = new Promise((r) => (release = r))
  const stale = await fetchText(site, path)
  t.equal(stale.body, 'version 1', 'answered at once while the root holds its answer')
  t.match(stale.headers['cache-status'], /; hit; ttl=-\d+; detail=stale/, 'marked stale')
  for (let i = 0; i < 200 && asked < 2; i++) await new Promise((r) => setTimeout(r, 20))
  t.equal(asked, 2, 'one background request went to the root')
  t.equal(cacheOf(site).filling, 1, 'and is still out when the stale answer arrived')
  release()
  for (let i = 0; i < 200 && cacheOf(site).filling > 0; i++) await new Promise((r) => setTimeout(r, 20))

  const fresh = await fetchText(site, path)
  t.equal(fresh.body, 'version 2', 'the refreshed answer')
  t.match(fresh.headers['cache-status'], /; hit; ttl=\d+/)
  t.equal(asked, 2, 'from the cache')
})
