// A repository that changed at the root while the child was down is synchronized by the first round
// after the restart, through its own change feed from the place kept for it (no whole fetch), while the
// quiet ones are settled by the round's one read of the feed: a kept place never hides a change.
import t from 'tap'
import { tempDir } from './helpers/sites.ts'
import { startRoot, publish, deleteTag, inSync, syncOf, blobBytes, loggedPaths, childSyncedThenStopped } from './helpers/sync.ts'

const REPOS = Array.from({ length: 6 }, (_, i) => `acme/r${i}`)

t.test('a repository changed while the child was down is synchronized after the restart', async (t) => {
  const dir = tempDir(t)
  const root = await startRoot(t, dir)
  for (const [i, repo] of REPOS.entries()) await publish(root, `${repo}:1`, blobBytes(1_000, i + 1))
  const child = await childSyncedThenStopped(t, dir, root, REPOS, { clock: t.clock })

  const added = await publish(root, 'acme/r3:2', blobBytes(1_000, 50))
  await deleteTag(root, 'acme/r4:1')
  const rootPaths = loggedPaths(root)
  const before = (await rootPaths()).length
  const restarted = await child.restart()
  for (const repo of REPOS) await inSync(restarted, repo)
  const s = syncOf(restarted)
  t.equal((await s.repos.get('acme/r3'))?.tags['2'], added, 'the tag published while the child was down is there')
  t.notOk('1' in ((await s.repos.get('acme/r4'))?.tags ?? {}), 'the tag deleted while the child was down is gone')
  const asked = (await rootPaths()).slice(before)
  t.same(asked.filter((p) => !p.startsWith('/api/v1/blobs/')), Array(3).fill('/api/v1/federation/changes'), 'the round\'s feed read, then the two changed repositories\' own feeds')
  t.same(asked.filter((p) => p.startsWith('/api/v1/blobs/')), [`/api/v1/blobs/sha256:${added}`], 'the new blob, once')
})
