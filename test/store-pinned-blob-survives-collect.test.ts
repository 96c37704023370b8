// Two writers share a child's store: the sync engine collects unreferenced blobs after its commits,
// the npm sync ingests tarballs before its own commit. A blob pinned in the store's shared pins, stored
// but not yet committed, survives a collection; once released (and still unreferenced) it is collected.
import t from 'tap'
import pino from 'pino'
import { Readable } from 'node:stream'
import { PinSet } from '../plugins/hub/store/blob-pins.ts'
import { SyncEngine, type EngineDeps } from '../plugins/sync/engine.ts'
import { openTestStores } from './helpers/stores.ts'

t.test('an ingested, pinned, uncommitted blob survives a collect; released, it is collected', async (t) => {
  const { blobStore, repositoryStore } = await openTestStores(t)
  const engine = new SyncEngine({ repos: repositoryStore, blobs: blobStore, log: pino({ level: 'silent' }), collect: true, partialMaxAge: 86_400_000 } as unknown as EngineDeps)

  const pins = new PinSet(blobStore.pins)
  const { id } = await blobStore.ingest(Readable.from([Buffer.from('a tarball not yet committed')]), { pin: (id) => pins.add(id) })
  const unpinned = await blobStore.ingest(Readable.from([Buffer.from('an orphan nobody pinned')]))

  t.equal(await engine.collect(), 1, 'only the unpinned orphan is collected')
  t.ok(await blobStore.has(id), 'the pinned blob is still stored')
  t.notOk(await blobStore.has(unpinned.id))

  // Committed while pinned, it is referenced from then on; a second pinned writer's blob stays too.
  await repositoryStore.commit('npm/pkg', { tags: { v1: id }, images: { [id]: { id, size: 27, createdAt: '2026-01-01T00:00:00.000Z' } } })
  pins.release()
  t.equal(await engine.collect(), 0, 'a committed blob is referenced')
  t.ok(await blobStore.has(id))
})

t.test('a pin taken while a collection runs waits for it, so the blob found present is not removed after', async (t) => {
  const { blobStore } = await openTestStores(t)
  const engine = new SyncEngine({ repos: { unreferenced: async () => [id], references: () => false }, blobs: blobStore, log: pino({ level: 'silent' }), collect: true, partialMaxAge: 86_400_000 } as unknown as EngineDeps)
  const { id } = await blobStore.ingest(Readable.from([Buffer.from('stored, then found present by a writer')]))
  const collecting = engine.collect()
  const pins = new PinSet(blobStore.pins)
  const ingested = blobStore.ingest(Readable.from([Buffer.from('stored, then found present by a writer')]), { pin: (id) => pins.add(id) })
  t.equal(await collecting, 1, 'the collection that started first removed it')
  t.equal((await ingested).id, id)
  t.ok(await blobStore.has(id), 'the writer that pinned after it stored it again')
  t.equal(await engine.collect(), 0, 'pinned: left alone')
  t.ok(await blobStore.has(id))
  pins.release()
  t.equal(await engine.collect(), 1, 'released and unreferenced: collected')
})
