// Two gateway nodes share one Redis index. A refresh on node B reads another node's commit; before it
// applies what it read, B commits a newer state of the same repository itself. The refresh must not put
// the older state back: B would stop referencing its own new blob (and collect it) and serve old tags.
import t from 'tap'
import { startRedis } from './helpers/redis.ts'
import { openTestStores, storeImage } from './helpers/stores.ts'
import type { RepoState } from '../plugins/hub/model.ts'

t.test('a refresh that read an older state does not apply it over a newer one', async (t) => {
  const redis = await startRedis(t)
  const a = await openTestStores(t, { index: redis.url, prefix: 'fedgate:n:' })
  const b = await openTestStores(t, { dir: a.dir, index: redis.url, prefix: 'fedgate:n:' })
  const [v1, v2, v3] = [await storeImage(a.blobStore, 'v1'), await storeImage(a.blobStore, 'v2'), await storeImage(a.blobStore, 'v3')]
  await a.repositoryStore.commit('acme/x', { tags: { latest: v1.id }, images: { [v1.id]: v1 } })
  await b.repositoryStore.refresh()
  await a.repositoryStore.commit('acme/x', { tags: { latest: v2.id }, images: { [v2.id]: v2 } })

  // B's refresh reads A's state, then waits while B commits v3 itself, then applies what it read.
  const getMany = b.index.getMany.bind(b.index)
  let committed!: () => void
  const gate = new Promise<void>((r) => (committed = r))
  let read!: () => void
  const hasRead = new Promise<void>((r) => (read = r))
  b.index.getMany = async <T>(keys: string[]) => {
    const states = await getMany<T>(keys)
    if (keys.includes('repo/acme/x')) {
      read()
      await gate
    }
    return states
  }
  const refreshing = b.repositoryStore.refresh()
  await hasRead
  b.index.getMany = getMany
  await b.repositoryStore.commit('acme/x', { tags: { latest: v3.id }, images: { [v3.id]: v3 } })
  committed()
  await refreshing

  t.ok(b.repositoryStore.references(v3.id), 'B still references the blob it committed')
  t.equal(((await b.repositoryStore.get('acme/x')) as RepoState).tags.latest, v3.id, 'and serves its newer state')
  t.notOk(b.repositoryStore.references(v2.id), 'the older state is not held')
})
