// A branch syncing a repository its middle site does not hold gets the repository whole from the root
// (forwarded: root revision numbers), but the change feed from the middle (middle revision numbers).
// It used to store the root's number and ask the middle's feed with it: in sync forever, and stale.
import t from 'tap'
import { tempDir } from './helpers/sites.ts'
import { startRoot, startChild, publish, inSync, issueKey, blobBytes, syncOf } from './helpers/sync.ts'

t.test('a branch sees a root change to a repository its middle site does not hold', async (t) => {
  const dir = tempDir(t)
  const root = await startRoot(t, dir)
  await publish(root, 'acme/other:1.0', blobBytes(1000, 9))
  await publish(root, 'acme/app:1.0', blobBytes(1000, 3))
  await publish(root, 'acme/lib:1.0', blobBytes(1000, 4))
  // The middle's own revision ends up ahead of the root's number for acme/other.
  const middle = await startChild(t, dir, 'region', root.url, root.readKey, 'repositories: [acme/app, acme/lib]\n')
  await inSync(middle, 'acme/app')
  await inSync(middle, 'acme/lib')
  const branch = await startChild(t, dir, 'branch', middle.url, await issueKey(middle, 'read', 'branch'), 'repositories: [acme/other]\n')
  await inSync(branch, 'acme/other')

  const b = syncOf(branch)
  const o2 = await publish(root, 'acme/other:2.0', blobBytes(1000, 10))
  await b.scheduler.request('acme/other')
  t.equal((await b.repos.get('acme/other'))?.tags['2.0'], o2, 'the branch has the tag published at the root')
  await b.scheduler.request('acme/other')
  t.equal((await b.repos.get('acme/other'))?.tags['2.0'], o2, 'and keeps it at the next sync')
  t.equal(b.status.get('acme/other').state, 'in-sync')
})
