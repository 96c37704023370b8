// While Redis is unreachable, index reads and commits fail at once (and the caller answers an error)
// instead of queueing until Redis returns: requests would pile up, hanging. The site keeps serving what
// it holds in memory, and the index works again once Redis is back.
import t from 'tap'
import { startRedis } from './helpers/redis.ts'
import { openTestStores, storeImage } from './helpers/stores.ts'

t.test('with Redis down, the index rejects instead of hanging', async (t) => {
  const redis = await startRedis(t)
  const s = await openTestStores(t, { index: redis.url, prefix: 'fedgate:d:' })
  const a = await storeImage(s.blobStore, 'a')
  await s.repositoryStore.commit('acme/app', { tags: { latest: a.id }, images: { [a.id]: a } })
  await redis.stop()

  // Bounded by tap's timeout: a queued command would hang here until the test fails.
  await t.rejects(s.index.get('repo/acme/app'), 'a read fails')
  await t.rejects(s.repositoryStore.commit('acme/app', { tags: { latest: a.id, v2: a.id }, images: { [a.id]: a } }), 'a commit fails')
  t.ok(s.repositoryStore.holds('acme/app'), 'what is held in memory is still known')
  t.ok(s.repositoryStore.references(a.id))
})
