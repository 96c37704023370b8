// A child that owns namespaces takes publishes, some from another process (a worker, `fedgate publish
// --config child.yaml`), which stores its blob, pins it in its own process only, then commits. The sync
// leader collected after each commit with no grace (embedded index), so a collection in between removed
// that blob and the publish failed ("not in the blob store"), its upload lost. The sync's collection now
// spares unreferenced blobs younger than store.collect.grace, as the root's periodic collection does.
import t from 'tap'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { loadConfigFile } from '../gateway/config/load.ts'
import { builtinPlugins } from '../plugins/index.ts'
import { PinSet } from '../plugins/hub/store/blob-pins.ts'
import { openStores } from '../plugins/hub/store/open.ts'
import { tagImage } from '../plugins/hub/store/tag-updates.ts'
import { tempDir } from './helpers/sites.ts'
import { startRoot, startChild, publish, inSync, syncOf, blobBytes } from './helpers/sync.ts'

t.test("the child's sync collection leaves a blob another process is about to commit", async (t) => {
  const dir = tempDir(t)
  const root = await startRoot(t, dir)
  await publish(root, 'acme/app:1.0', blobBytes(2000, 1))
  const child = await startChild(t, dir, 'branch', root.url, root.readKey, 'repositories: [acme/app]\n', t.clock)
  await inSync(child, 'acme/app')
  const s = syncOf(child)

  // Another process on the child's store (as `fedgate publish --config branch.yaml` opens it).
  const other = await openStores(loadConfigFile(join(dir, 'branch.yaml'), builtinPlugins), { follow: false })
  t.teardown(() => other.close())
  const pins = new PinSet(other.blobStore.pins)
  t.teardown(() => pins.release())
  const { id, size } = await other.blobStore.ingest(Readable.from([Buffer.from('published at the child')]), { pin: (id) => pins.add(id) })

  // Before it commits, the root changes acme/app: the child's sync commits, then collects.
  await publish(root, 'acme/app:2.0', blobBytes(2000, 2))
  await s.scheduler.request('acme/app')
  t.equal(s.status.get('acme/app').state, 'in-sync', 'the sync committed')
  await s.blobs.pins.exclusive(async () => {}) // its collection is over

  t.ok(await s.blobs.has(id), 'the blob the other process stored is still there')
  const state = await other.repositoryStore.commit('local/tool', tagImage('1.0', { id, size }, { latest: true, at: new Date().toISOString() }))
  t.equal(state.tags['1.0'], id, 'and its publish commits')
})
