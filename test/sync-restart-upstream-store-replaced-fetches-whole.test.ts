// The root was rebuilt while the child was down: a new store, whose revisions happen to match the ones
// the child kept (the same publishes, other bytes). Its feed names another store, so no kept place is
// trusted: every repository is fetched whole after the restart and holds the new root's images.
import t from 'tap'
import { tempDir } from './helpers/sites.ts'
import { startRoot, publish, inSync, syncOf, blobBytes, loggedPaths, childSyncedThenStopped } from './helpers/sync.ts'

const REPOS = Array.from({ length: 6 }, (_, i) => `acme/r${i}`)

t.test('after a restart against a rebuilt root, every repository is fetched whole', async (t) => {
  const dir = tempDir(t)
  const old = await startRoot(t, dir, 'root')
  for (const [i, repo] of REPOS.entries()) await publish(old, `${repo}:1`, blobBytes(1_000, i + 1))
  const child = await childSyncedThenStopped(t, dir, old, REPOS, { clock: t.clock })
  await old.gw.close()

  const root = await startRoot(t, dir, 'rebuilt')
  const ids: string[] = []
  for (const [i, repo] of REPOS.entries()) ids.push(await publish(root, `${repo}:1`, blobBytes(1_000, 100 + i)))
  const rootPaths = loggedPaths(root)
  const before = (await rootPaths()).length
  const restarted = await child.restart(root)
  for (const repo of REPOS) await inSync(restarted, repo)
  const s = syncOf(restarted)
  for (const [i, repo] of REPOS.entries()) t.equal((await s.repos.get(repo))?.tags['1'], ids[i], `${repo} holds the rebuilt root's image`)
  const asked = (await rootPaths()).slice(before)
  for (const repo of REPOS) t.ok(asked.includes(`/api/v1/repos/${repo}`), `${repo} was fetched whole`)
})
