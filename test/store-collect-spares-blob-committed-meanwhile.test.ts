// A collection lists the unreferenced blobs, then removes them one by one. A sync that had the blob
// pinned may commit it and release its pin in between: the blob is then referenced, and removing it
// would leave a served snapshot without its bytes. Each blob is checked again right before removal.
import t from 'tap'
import pino from 'pino'
import { SyncEngine, type EngineDeps } from '../plugins/sync/engine.ts'
import { openTestStores, storeImage } from './helpers/stores.ts'

t.test('a blob committed and released during a collection is not removed', async (t) => {
  const { blobStore, repositoryStore } = await openTestStores(t)
  const engine = new SyncEngine({ repos: repositoryStore, blobs: blobStore, log: pino({ level: 'silent' }), collect: true, partialMaxAge: 86_400_000 } as unknown as EngineDeps)
  const image = await storeImage(blobStore, 'a blob another sync is bringing')
  const release = await blobStore.pins.pin([image.id]) // that sync pinned it before the collection began

  // The listing sees it unreferenced; right after, the other sync commits it and releases its pin.
  const list = repositoryStore.unreferenced.bind(repositoryStore)
  repositoryStore.unreferenced = async () => {
    const ids = await list()
    await repositoryStore.commit('acme/app', { tags: { '1.0': image.id }, images: { [image.id]: image } })
    release()
    return ids
  }
  t.equal(await engine.collect(), 0, 'nothing is removed')
  t.ok(await blobStore.has(image.id), 'the committed blob is still stored')
})
