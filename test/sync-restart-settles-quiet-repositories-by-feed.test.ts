// After a restart, a child's first round settles the repositories that did not change with one read of
// the root's change feed, as a running child's rounds do: where each repository stood in the feed is
// kept in the index (embedded and Redis alike). While the child was down the root's log was trimmed
// past where the first repositories' commits left them: only the place the last round moved them to
// still reaches back.
import t from 'tap'
import { join } from 'node:path'
import { tempDir } from './helpers/sites.ts'
import { startRedis } from './helpers/redis.ts'
import { startRoot, publish, inSync, syncOf, blobBytes, loggedPaths, childSyncedThenStopped } from './helpers/sync.ts'

const REPOS = Array.from({ length: 20 }, (_, i) => `acme/r${i}`)
// One folder for both runs, so the sites' certificates are made once; each run has its own stores.
const dir = tempDir(t)

for (const kind of ['embedded', 'redis'] as const) {
  t.test(`a restarted child settles quiet repositories with one feed read (${kind} index)`, async (t) => {
    // A publish is two revisions (its tag and latest): 40 now, 60 after the child is down, the log keeping
    // 45 then reaches back to 15 (the last round's place, 40), not to 2 (acme/r0's commit).
    const root = await startRoot(t, dir, 'root', `store: { dir: ${join(dir, kind, 'root')}, changeLogKeep: 45 }\n`)
    for (const [i, repo] of REPOS.entries()) await publish(root, `${repo}:1`, blobBytes(1_000, i + 1))
    const index = kind === 'redis' ? `, index: ${(await startRedis(t)).url}` : ''
    const child = await childSyncedThenStopped(t, dir, root, REPOS, { extra: `store: { dir: ${join(dir, kind, 'branch')}${index} }\n`, clock: t.clock })

    for (let i = 0; i < 10; i++) await publish(root, `other/noise:${i}`, blobBytes(1_000, 100 + i))
    const rootPaths = loggedPaths(root)
    const before = (await rootPaths()).length
    const restarted = await child.restart()
    for (const repo of REPOS) await inSync(restarted, repo)
    const asked = (await rootPaths()).slice(before)
    t.same(asked, ['/api/v1/federation/changes'], 'the first round asks the feed once, and nothing of any repository')
    const s = syncOf(restarted)
    for (const repo of REPOS) t.equal(s.status.get(repo).state, 'in-sync', `${repo} is in sync`)
  })
}
