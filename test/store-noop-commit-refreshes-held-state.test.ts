// A commit that moves only a repository's upstream revision writes no change-log entry, so other nodes'
// refreshes do not see it and they keep the older state in memory. When such a node then commits the
// same state (its own sync reached the same upstream revision), nothing is written, and it holds the
// committed state from then on instead of the stale one.
import t from 'tap'
import { startRedis } from './helpers/redis.ts'
import { openTestStores, storeImage } from './helpers/stores.ts'

t.test('a commit with nothing to write leaves the committed state held', async (t) => {
  const redis = await startRedis(t)
  const a = await openTestStores(t, { index: redis.url, prefix: 'fedgate:u:' })
  const b = await openTestStores(t, { dir: a.dir, index: redis.url, prefix: 'fedgate:u:' })
  const v1 = await storeImage(a.blobStore, 'v1')
  const at = (upstreamRevision: number) => ({ tags: { latest: v1.id }, images: { [v1.id]: v1 }, upstreamRevision })
  await a.repositoryStore.commit('acme/x', at(10))
  await b.repositoryStore.refresh()
  t.equal((await b.repositoryStore.get('acme/x'))?.upstreamRevision, 10)

  const moved = await a.repositoryStore.commit('acme/x', at(11)) // only the upstream revision moves
  await b.repositoryStore.refresh()
  t.equal((await b.repositoryStore.get('acme/x'))?.upstreamRevision, 10, 'B\'s refresh cannot see it (no log entry)')

  const same = await b.repositoryStore.commit('acme/x', at(11))
  t.equal(same.revision, moved.revision, 'B writes nothing: the committed state already says so')
  t.same(await b.repositoryStore.get('acme/x'), moved, 'and B holds the committed state from now on')
})
