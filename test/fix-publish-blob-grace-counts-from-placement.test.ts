// Another process's collection spares an unreferenced blob younger than store.collect.grace, by its file
// time. A publish's file time was its last byte written, not when it was placed where a collection sees
// it: the fsync and a wait for this process's own collection (to pin it) came in between, and a blob
// placed already older than the grace could be removed before its commit. It is stamped as it is placed.
import t from 'tap'
import pino from 'pino'
import { readdirSync, utimesSync } from 'node:fs'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { collectUnreferenced } from '../plugins/hub/store/collect.ts'
import { tagImage } from '../plugins/hub/store/tag-updates.ts'
import { openTestStores } from './helpers/stores.ts'

t.test('a published blob counts as written when it is placed', async (t) => {
  const { dir, blobStore, repositoryStore } = await openTestStores(t)
  const grace = 10 * 60_000
  const bytes = Buffer.from('written long before it was placed')
  // Between the last byte and the placement: two hours pass (a slow fsync, a long wait to pin).
  const twoHoursAgo = (Date.now() - 2 * 3_600_000) / 1000
  const { id, size } = await blobStore.ingest(Readable.from([bytes]), {
    pin: async () => {
      for (const name of readdirSync(join(dir, 'tmp'))) utimesSync(join(dir, 'tmp', name), twoHoursAgo, twoHoursAgo)
    },
  })
  t.ok(((await blobStore.age(id)) ?? Infinity) < grace, 'its age starts at its placement')
  // Another process's collection: this process's pins are not its to see (none taken here).
  const { removed } = await collectUnreferenced({ blobs: blobStore, repos: repositoryStore, log: pino({ level: 'silent' }) }, { grace })
  t.equal(removed, 0, 'a collection right after the placement removes nothing')
  const state = await repositoryStore.commit('acme/app', tagImage('1.0', { id, size }, { latest: true, at: new Date().toISOString() }))
  t.equal(state.tags['1.0'], id, 'the commit that follows finds its blob')
})
