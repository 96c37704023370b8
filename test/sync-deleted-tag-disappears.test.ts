// A tag deleted at the root disappears from the child on the next sync, and a blob no tag needs any
// more is collected.
import t from 'tap'
import { tempDir, fetchText } from './helpers/sites.ts'
import { startRoot, startChild, publish, deleteTag, inSync, syncOf, blobBytes } from './helpers/sync.ts'

t.test('a tag deleted at the root disappears from the child', async (t) => {
  const dir = tempDir(t)
  const root = await startRoot(t, dir)
  const one = await publish(root, 'acme/app:1.0', blobBytes(10_000, 1))
  const two = await publish(root, 'acme/app:2.0', blobBytes(10_000, 2))
  const child = await startChild(t, dir, 'branch', root.url, root.readKey, 'repositories: [acme/app]\n')
  await inSync(child, 'acme/app')
  const s = syncOf(child)
  t.same((await s.repos.get('acme/app'))?.tags, { '1.0': one, '2.0': two, latest: two })

  await deleteTag(root, 'acme/app:2.0')
  await deleteTag(root, 'acme/app:latest')
  await s.scheduler.request('acme/app')
  t.equal(s.status.get('acme/app').state, 'in-sync')
  t.same((await s.repos.get('acme/app'))?.tags, { '1.0': one }, 'only the remaining tag is left')
  const gone = await fetchText(child, '/api/v1/repos/acme/app/images/2.0')
  t.equal(gone.status, 404, 'the deleted tag is not served')
  t.notOk(await s.blobs.has(two), 'its blob, referenced by nothing, was collected')
  t.ok(await s.blobs.has(one))
})
