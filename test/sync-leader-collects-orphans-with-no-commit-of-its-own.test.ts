// At a child, store.collect.enabled defaults to false: the sync leader's collection is the only one. It
// ran only after a commit of its own sync, so a blob orphaned by another process (a publish at the child
// from another worker or `fedgate publish` that overwrote a tag) stayed on disk for as long as the
// synchronized repositories stayed quiet. The leader now collects at least once every
// store.collect.grace, whether or not it commits.
import t from 'tap'
import { join } from 'node:path'
import { utimesSync } from 'node:fs'
import { Readable } from 'node:stream'
import { loadConfigFile } from '../gateway/config/load.ts'
import { builtinPlugins } from '../plugins/index.ts'
import { openStores } from '../plugins/hub/store/open.ts'
import { tagImage } from '../plugins/hub/store/tag-updates.ts'
import { tempDir } from './helpers/sites.ts'
import { startRoot, startChild, publish, inSync, syncOf, blobBytes, waitFor } from './helpers/sync.ts'

t.test('a quiet child collects a blob another process orphaned, once past the grace', async (t) => {
  const dir = tempDir(t)
  const root = await startRoot(t, dir)
  await publish(root, 'acme/app:1.0', blobBytes(2000, 1))
  const child = await startChild(t, dir, 'branch', root.url, root.readKey, 'repositories: [acme/app]\n', t.clock)
  await inSync(child, 'acme/app')
  const s = syncOf(child)

  // Another process publishes local/tool:1.0 twice: the first image loses its only tag.
  const other = await openStores(loadConfigFile(join(dir, 'branch.yaml'), builtinPlugins), { follow: false })
  t.teardown(() => other.close())
  const put = async (bytes: string) => {
    const { id, size } = await other.blobStore.ingest(Readable.from([Buffer.from(bytes)]))
    await other.repositoryStore.commit('local/tool', tagImage('1.0', { id, size }, { latest: false, at: new Date().toISOString() }))
    return id
  }
  const first = await put('overwritten at the child')
  const second = await put('the current image')
  // Stored two hours ago (file times are the wall clock's): past store.collect.grace.
  const twoHoursAgo = (Date.now() - 2 * 3_600_000) / 1000
  utimesSync(other.blobStore.path(first), twoHoursAgo, twoHoursAgo)

  // Nothing changes upstream, so no sync commits; a grace on, the leader collects anyway.
  t.clock.advance(3_600_000)
  await waitFor('the leader\'s collection', async () => !(await s.blobs.has(first)))
  t.pass('the orphaned blob is removed')
  t.ok(await s.blobs.has(second), 'the current image stays')
})
