// A client's `min-fresh=N` (RFC 9111 §5.2.1.3) takes a stored answer only while it stays fresh for at
// least N more seconds: an entry about to go stale is revalidated with the root first, as a stale one.
// One with enough freshness left is a hit.
import t from 'tap'
import { revalidatingHandler, startChildWithOrigin } from './helpers/child-site.ts'
import { fetchText } from './helpers/sites.ts'

t.test('min-fresh: an entry about to go stale is revalidated', async (t) => {
  const conditional: (string | undefined)[] = []
  const { site } = await startChildWithOrigin(t, 'cache-min-fresh', {
    clock: t.clock,
    extra: 'forward: { cache: { enabled: true } }\n',
    handler: revalidatingHandler({ cacheControl: 'public, max-age=60', body: 'thing v1', asked: (etag) => conditional.push(etag) }),
  })
  const path = '/api/v1/repos/acme/min-fresh'
  t.equal((await fetchText(site, path)).body, 'thing v1', 'filled')

  t.clock.advance(50_000) // fresh for 10 s more
  const enough = await fetchText(site, path, { headers: { 'cache-control': 'min-fresh=5' } })
  t.match(enough.headers['cache-status'], /; hit; ttl=10\b/, 'min-fresh=5: a hit')
  t.equal(conditional.length, 1, 'without the root')

  const more = await fetchText(site, path, { headers: { 'cache-control': 'min-fresh=30' } })
  t.equal(more.status, 200)
  t.equal(more.body, 'thing v1')
  t.match(more.headers['cache-status'], /fwd=stale; fwd-status=304; ttl=60\b/, 'min-fresh=30: revalidated, fresh again')
  t.same(conditional, [undefined, '"v1"'], 'the root was asked, conditionally')
})
