// Nodes that share a Redis index (and a blob folder) cannot see each other's pins: a blob another node
// just stored for a sync it has not committed yet looks unreferenced here. With a shared index the
// collection leaves unreferenced blobs younger than the grace (sync.partialMaxAge) alone.
import t from 'tap'
import pino from 'pino'
import { utimesSync } from 'node:fs'
import { SyncEngine, type EngineDeps } from '../plugins/sync/engine.ts'
import { openTestStores, storeImage } from './helpers/stores.ts'

t.test('collection with a grace keeps young unreferenced blobs and removes old ones', async (t) => {
  const { blobStore, repositoryStore } = await openTestStores(t)
  const engine = new SyncEngine({ repos: repositoryStore, blobs: blobStore, log: pino({ level: 'silent' }), collect: true, partialMaxAge: 86_400_000, collectGrace: 3_600_000 } as unknown as EngineDeps)
  const young = await storeImage(blobStore, 'stored a minute ago by another node')
  const old = await storeImage(blobStore, 'left unreferenced two days ago')
  const twoDaysAgo = (Date.now() - 2 * 86_400_000) / 1000
  utimesSync(blobStore.path(old.id), twoDaysAgo, twoDaysAgo)

  t.equal(await engine.collect(), 1, 'one blob collected')
  t.ok(await blobStore.has(young.id), 'the young one is kept: another node may be about to commit it')
  t.notOk(await blobStore.has(old.id), 'the old one is removed')
})
