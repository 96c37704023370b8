// A Redis without persistence restarts empty, and other nodes start committing again from revision 1.
// A node that knew higher revisions takes the replaced index as the truth: it serves the new states,
// older revisions and all, under the replaced index's new store id, and stops serving what the index no
// longer has.
import t from 'tap'
import { connect } from 'node:net'
import { startRedis } from './helpers/redis.ts'
import { openTestStores, storeImage } from './helpers/stores.ts'

t.test('after the index is wiped, a refresh serves exactly what it now holds', async (t) => {
  const redis = await startRedis(t)
  const a = await openTestStores(t, { index: redis.url, prefix: 'fedgate:w:' })
  const b = await openTestStores(t, { dir: a.dir, index: redis.url, prefix: 'fedgate:w:' })
  const [v1, v2] = [await storeImage(a.blobStore, 'v1'), await storeImage(a.blobStore, 'v2')]
  for (const name of ['acme/a', 'acme/b', 'acme/c']) await a.repositoryStore.commit(name, { tags: { latest: v2.id, old: v1.id }, images: { [v1.id]: v1, [v2.id]: v2 } })
  await b.repositoryStore.refresh()
  t.ok(b.repositoryStore.holds('acme/c'))

  await new Promise<void>((resolve, reject) => {
    const c = connect(redis.port, '127.0.0.1', () => c.write('FLUSHALL\r\n'))
    c.once('data', () => (c.destroy(), resolve()))
    c.once('error', reject)
  })
  const oldId = b.repositoryStore.storeId
  const fresh = await openTestStores(t, { dir: a.dir, index: redis.url, prefix: 'fedgate:w:' })
  await fresh.repositoryStore.commit('acme/a', { tags: { latest: v1.id }, images: { [v1.id]: v1 } }) // revision 1 again
  t.not(fresh.repositoryStore.storeId, oldId, 'the replaced index has a new store id')
  t.equal(await b.repositoryStore.changes(0), 'too-old', 'before B notices, its feed sends no new numbers under the old id')

  await b.repositoryStore.refresh()
  t.equal(b.repositoryStore.storeId, fresh.repositoryStore.storeId, 'B adopts the new id')
  t.equal((await b.repositoryStore.get('acme/a'))?.tags.latest, v1.id, 'the new state, though its revision is lower')
  t.notOk(b.repositoryStore.holds('acme/b'), 'what the index no longer has is not served')
  t.notOk(b.repositoryStore.references(v2.id), 'nor are its blobs referenced')
})
