// A client's `min-fresh` wants freshness left, so it never gets a stale answer: not within the root's
// stale-while-revalidate (it waits for the revalidation), nor as a stand-in for a failing root within
// stale-if-error (it gets the root's failure), while a plain client gets both.
import t from 'tap'
import { revalidatingHandler, startChildWithOrigin } from './helpers/child-site.ts'
import { fetchText } from './helpers/sites.ts'

t.test('min-fresh: no stale-while-revalidate answer, no stale stand-in', async (t) => {
  let failing = false
  let asked = 0
  const { site } = await startChildWithOrigin(t, 'cache-min-fresh-stale', {
    clock: t.clock,
    extra: 'forward: { cache: { enabled: true } }\n',
    handler: revalidatingHandler({ cacheControl: 'public, max-age=10, stale-while-revalidate=60, stale-if-error=3600', body: 'thing v1', asked: () => asked++, failing: () => failing }),
  })
  const path = '/api/v1/repos/acme/min-fresh-stale'
  t.equal((await fetchText(site, path)).body, 'thing v1', 'filled')

  t.clock.advance(30_000) // 20 s stale: within stale-while-revalidate
  const minFresh = await fetchText(site, path, { headers: { 'cache-control': 'min-fresh=1' } })
  t.match(minFresh.headers['cache-status'], /fwd=stale; fwd-status=304/, 'min-fresh: revalidated before the answer')
  t.equal(asked, 2)

  t.clock.advance(120_000) // past stale-while-revalidate, within stale-if-error
  failing = true
  const plain = await fetchText(site, path)
  t.equal(plain.status, 200, 'a plain request gets the stale entry while the root fails')
  t.match(plain.headers['cache-status'], /detail=stale/)
  const failed = await fetchText(site, path, { headers: { 'cache-control': 'min-fresh=1' } })
  t.ok(failed.status >= 500, `min-fresh gets the root's failure (${failed.status})`)
  t.notMatch(failed.body, /thing v1/, 'never the stale body')
})
