// A tag deleted at the root disappears from the child on the next sync, and a blob no tag needs any
// more is collected once older than store.collect.grace (till then, it could as well be a publish from
// another process about to commit): the sync leader comes back for it then, with no commit needed.
import t from 'tap'
import { utimesSync } from 'node:fs'
import { tempDir, fetchText } from './helpers/sites.ts'
import { startRoot, startChild, publish, deleteTag, inSync, syncOf, blobBytes, waitFor } from './helpers/sync.ts'
import type { FileBlobStore } from '../plugins/hub/store/blob-store.ts'

t.test('a tag deleted at the root disappears from the child', async (t) => {
  const dir = tempDir(t)
  const root = await startRoot(t, dir)
  const one = await publish(root, 'acme/app:1.0', blobBytes(10_000, 1))
  const two = await publish(root, 'acme/app:2.0', blobBytes(10_000, 2))
  const child = await startChild(t, dir, 'branch', root.url, root.readKey, 'repositories: [acme/app]\n', t.clock)
  await inSync(child, 'acme/app')
  const s = syncOf(child)
  const blobs = s.blobs as FileBlobStore
  t.same((await s.repos.get('acme/app'))?.tags, { '1.0': one, '2.0': two, latest: two })

  await deleteTag(root, 'acme/app:2.0')
  await deleteTag(root, 'acme/app:latest')
  await s.scheduler.request('acme/app')
  t.equal(s.status.get('acme/app').state, 'in-sync')
  t.same((await s.repos.get('acme/app'))?.tags, { '1.0': one }, 'only the remaining tag is left')
  const gone = await fetchText(child, '/api/v1/repos/acme/app/images/2.0')
  t.equal(gone.status, 404, 'the deleted tag is not served')
  t.ok(await s.blobs.has(two), 'its blob, referenced by nothing but stored a moment ago, is kept for now')

  // An hour on (file times are the wall clock's): past store.collect.grace, with no other commit.
  const twoHoursAgo = (Date.now() - 2 * 3_600_000) / 1000
  utimesSync(blobs.path(two), twoHoursAgo, twoHoursAgo)
  t.clock.advance(3_600_000)
  await waitFor('the collection that comes back for it', async () => !(await s.blobs.has(two)))
  t.pass('its blob was collected once past the grace')
  t.ok(await s.blobs.has(one), 'the remaining tag\'s blob stays')
})
