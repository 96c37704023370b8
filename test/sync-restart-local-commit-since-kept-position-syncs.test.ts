// A kept feed position describes one local commit. When the repository's state is another one at the
// restart (another writer committed after it, or the process died between a commit and its record),
// the position is not trusted: the repository is fetched whole and holds the root's tags again.
import t from 'tap'
import { tempDir } from './helpers/sites.ts'
import { startRoot, publish, inSync, syncOf, blobBytes, loggedPaths, childSyncedThenStopped } from './helpers/sync.ts'

const REPOS = Array.from({ length: 6 }, (_, i) => `acme/r${i}`)

t.test('a repository committed after its kept position is synchronized after the restart', async (t) => {
  const dir = tempDir(t)
  const root = await startRoot(t, dir)
  for (const [i, repo] of REPOS.entries()) await publish(root, `${repo}:1`, blobBytes(1_000, i + 1))
  const child = await childSyncedThenStopped(t, dir, root, REPOS, {
    clock: t.clock,
    // Another writer's commit: a tag the root does not have, on the same upstream revision.
    async beforeStop(first) {
      const { repos } = syncOf(first)
      const cur = (await repos.get('acme/r2'))!
      await repos.commit('acme/r2', { tags: { ...cur.tags, local: cur.tags['1']! }, images: cur.images, upstreamRevision: cur.upstreamRevision })
    },
  })

  const rootPaths = loggedPaths(root)
  const before = (await rootPaths()).length
  const restarted = await child.restart()
  for (const repo of REPOS) await inSync(restarted, repo)
  const s = syncOf(restarted)
  t.notOk('local' in ((await s.repos.get('acme/r2'))?.tags ?? {}), 'the root\'s tags again')
  const asked = (await rootPaths()).slice(before)
  t.same(asked, ['/api/v1/federation/changes', '/api/v1/repos/acme/r2'], 'the round\'s feed read settles the others; acme/r2 is fetched whole')
})
