// A node whose refresh finds the change log trimmed past what it knows reloads every repository state.
// While that scan runs, what it served stays served (a root answering 404 meanwhile would make its
// children empty their copies), and the reload then brings the newer states.
import t from 'tap'
import { startRedis } from './helpers/redis.ts'
import { openTestStores, storeImage } from './helpers/stores.ts'

t.test('a reload applies states in place, never serving fewer repositories meanwhile', async (t) => {
  const redis = await startRedis(t)
  const a = await openTestStores(t, { index: redis.url, prefix: 'fedgate:r:', changeLogKeep: 2 })
  const b = await openTestStores(t, { dir: a.dir, index: redis.url, prefix: 'fedgate:r:', changeLogKeep: 2 })
  const [v1, v2] = [await storeImage(a.blobStore, 'v1'), await storeImage(a.blobStore, 'v2')]
  const names = ['acme/a', 'acme/b', 'acme/c', 'acme/d']
  for (const name of names) await a.repositoryStore.commit(name, { tags: { latest: v1.id }, images: { [v1.id]: v1 } })
  await b.repositoryStore.refresh()
  // More commits than the log keeps: B's next refresh must reload.
  for (const name of names) await a.repositoryStore.commit(name, { tags: { latest: v2.id }, images: { [v2.id]: v2 } })

  const scan = b.index.scan.bind(b.index)
  const during: boolean[] = []
  b.index.scan = async function* <T>(prefix: string) {
    for await (const entry of scan<T>(prefix)) {
      during.push(names.every((n) => b.repositoryStore.holds(n)))
      yield entry
    }
  }
  await b.repositoryStore.refresh()
  t.ok(during.length >= names.length, 'the refresh reloaded by a scan')
  t.same(during, during.map(() => true), 'every repository was served at every step of the scan')
  for (const name of names) t.equal((await b.repositoryStore.get(name))?.tags.latest, v2.id, `${name}: the newer state afterwards`)
})
