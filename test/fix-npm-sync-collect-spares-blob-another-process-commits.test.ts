// npm's package sync removed the tarballs a new snapshot no longer named at once, with no grace: a
// publish from another process (`fedgate publish --config child.yaml`, a worker) that stored or found
// the same bytes, pinned in its own process only, lost its blob before its commit, which then failed.
// npm's sync now leaves them to the site's collection (the sync plugin's, under store.collect.grace),
// as the hub sync does: spared while younger than the grace, removed once past it.
import t from 'tap'
import { createHash } from 'node:crypto'
import { readFileSync, utimesSync } from 'node:fs'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { loadConfigFile } from '../gateway/config/load.ts'
import { builtinPlugins } from '../plugins/index.ts'
import { PinSet } from '../plugins/hub/store/blob-pins.ts'
import type { FileBlobStore } from '../plugins/hub/store/blob-store.ts'
import { openStores } from '../plugins/hub/store/open.ts'
import { tagImage } from '../plugins/hub/store/tag-updates.ts'
import type { SyncEngine } from '../plugins/sync/engine.ts'
import { startNpmStack } from './helpers/npm-stack.ts'
import { tempDir } from './helpers/sites.ts'

t.test("npm's sync leaves a superseded tarball another process is about to commit, and collects it past the grace", async (t) => {
  const dir = tempDir(t)
  const stack = await startNpmStack(t, dir, { packages: ['left-pad'] })
  const blobs = stack.child.gw.service<FileBlobStore>('blobStore')!
  const tarball = (version: string) => readFileSync(stack.root.tarballPath('left-pad', version))
  const idOf = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex')
  const [first, second] = [tarball('1.0.0'), tarball('1.1.0')]
  t.ok((await blobs.has(idOf(first))) && (await blobs.has(idOf(second))), 'the child holds left-pad 1.0.0 and 1.1.0')

  // Another process on the child's store publishes bytes identical to left-pad 1.0.0's tarball: it finds
  // the blob stored, pins it in its own process, and is about to commit.
  const other = await openStores(loadConfigFile(join(dir, 'branch.yaml'), builtinPlugins), { follow: false })
  t.teardown(() => other.close())
  const pins = new PinSet(other.blobStore.pins)
  t.teardown(() => pins.release())
  const found = await other.blobStore.ingest(Readable.from([first]), { pin: (id) => pins.add(id) })
  t.equal(found.id, idOf(first))

  // Meanwhile both versions are unpublished at the root, and the child's sync commits without them.
  await stack.root.unpublish('left-pad@1.0.0')
  await stack.root.unpublish('left-pad@1.1.0')
  const status = await stack.syncNow('left-pad')
  t.equal(status.packages.find((p) => p.name === 'left-pad')?.state, 'in-sync', 'the sync committed')
  await blobs.pins.exclusive(async () => {}) // any collection it started is over

  t.ok(await blobs.has(found.id), 'the blob the other process is about to commit is still there')
  const state = await other.repositoryStore.commit('local/tool', tagImage('1.0', found, { latest: true, at: new Date().toISOString() }))
  t.equal(state.tags['1.0'], found.id, 'and its publish commits')
  t.ok(await blobs.has(idOf(second)), "1.1.0's tarball, younger than the grace, is spared too")

  // Past the grace (file times are what the collection reads), the site's collection removes what no one took.
  const old = (Date.now() - 2 * 60 * 60_000) / 1000
  utimesSync(blobs.path(idOf(second)), old, old)
  await stack.child.gw.service<SyncEngine>('syncEngine')!.collect()
  t.notOk(await blobs.has(idOf(second)), "1.1.0's tarball is collected once past the grace")
  t.ok(await blobs.has(found.id), 'the published blob stays')
})
