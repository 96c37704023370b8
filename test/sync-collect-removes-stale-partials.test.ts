// A partial download waits for its Range resume, but not forever: once no sync has touched it for
// sync.partialMaxAge and no running sync needs it (pinned), the collection removes it. A blob whose
// repository was dropped, or whose tag moved on before it finished, no longer stays on disk for good.
import t from 'tap'
import { existsSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { tempDir } from './helpers/sites.ts'
import { startRoot, startChild, publish, inSync, syncOf, blobBytes } from './helpers/sync.ts'
import type { FileBlobStore } from '../plugins/hub/store/blob-store.ts'

t.test('collection removes partial downloads left alone for partialMaxAge, not fresher or pinned ones', async (t) => {
  const dir = tempDir(t)
  const root = await startRoot(t, dir)
  await publish(root, 'acme/app:1.0', blobBytes(5000, 1))
  const child = await startChild(t, dir, 'branch', root.url, root.readKey, 'repositories: [acme/app]\nsync: { partialMaxAge: 1h }\n')
  await inSync(child, 'acme/app')
  const s = syncOf(child)
  const blobs = s.blobs as FileBlobStore
  // The first sync's collection may still run after its status says in sync: let it end first.
  await blobs.pins.exclusive(async () => {})

  const partial = (id: string, ageMs: number) => {
    const file = blobs.partialPath(id)
    mkdirSync(join(file, '..'), { recursive: true })
    writeFileSync(file, 'some bytes of a blob never finished')
    const when = (Date.now() - ageMs) / 1000
    utimesSync(file, when, when)
    return file
  }
  const stale = partial('a'.repeat(64), 2 * 3600_000)
  const fresh = partial('b'.repeat(64), 60_000)
  const needed = partial('c'.repeat(64), 2 * 3600_000)
  const release = await blobs.pins.pin(['c'.repeat(64)]) // as a running sync pins what it brings
  t.teardown(release)

  // A new tag at the root: the next sync commits, and the collection runs after the commit.
  await publish(root, 'acme/app:2.0', blobBytes(6000, 2))
  await s.scheduler.request('acme/app')
  t.notOk(existsSync(stale), 'a partial untouched for longer than partialMaxAge is removed')
  t.ok(existsSync(fresh), 'a fresher one waits for its resume')
  t.ok(existsSync(needed), 'one a running sync needs is kept')
  t.match(child.logs.lines().find((l) => l.msg === 'collected unreferenced blobs'), { partials: 1 }, 'the collection says so')
})
