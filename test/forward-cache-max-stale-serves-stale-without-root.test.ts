// A client's `max-stale=N` (RFC 9111 §5.2.1.2) takes a stale entry at most N seconds past its freshness
// as it is, without revalidating it; `max-stale` with no value takes any staleness. Staler than N, the
// entry is revalidated with the root as for any client.
import t from 'tap'
import { revalidatingHandler, startChildWithOrigin } from './helpers/child-site.ts'
import { fetchText } from './helpers/sites.ts'

t.test('max-stale: a stale entry served without the root, within its bound', async (t) => {
  const conditional: (string | undefined)[] = []
  const { site } = await startChildWithOrigin(t, 'cache-max-stale', {
    clock: t.clock,
    extra: 'forward: { cache: { enabled: true } }\n',
    handler: revalidatingHandler({ cacheControl: 'public, max-age=10', body: 'thing v1', asked: (etag) => conditional.push(etag) }),
  })
  const path = '/api/v1/repos/acme/max-stale'
  t.equal((await fetchText(site, path)).body, 'thing v1', 'filled')

  t.clock.advance(40_000) // 30 s past its freshness
  const within = await fetchText(site, path, { headers: { 'cache-control': 'max-stale=60' } })
  t.equal(within.status, 200)
  t.equal(within.body, 'thing v1')
  t.match(within.headers['cache-status'], /; hit; ttl=-30; detail=stale/, 'marked stale')
  const any = await fetchText(site, path, { headers: { 'cache-control': 'max-stale' } })
  t.match(any.headers['cache-status'], /detail=stale/, 'max-stale with no value: any staleness')
  t.equal(conditional.length, 1, 'the root was not asked')

  const beyond = await fetchText(site, path, { headers: { 'cache-control': 'max-stale=20' } })
  t.equal(beyond.body, 'thing v1')
  t.match(beyond.headers['cache-status'], /fwd=stale; fwd-status=304/, 'staler than max-stale: revalidated')
  t.same(conditional, [undefined, '"v1"'], 'conditionally, once')
})
