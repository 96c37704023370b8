// A sync round over many repositories that did not change asks the root's change feed once, for the
// whole feed, instead of once per repository; a repository that did change still syncs in that round,
// and only it asks its own feed.
import t from 'tap'
import { tempDir } from './helpers/sites.ts'
import { startRoot, startChild, publish, inSync, syncOf, blobBytes, loggedPaths } from './helpers/sync.ts'

const REPOS = Array.from({ length: 12 }, (_, i) => `acme/r${i}`)

t.test('a round settles quiet repositories with one read of the change feed', async (t) => {
  const dir = tempDir(t)
  const root = await startRoot(t, dir)
  for (const [i, repo] of REPOS.entries()) await publish(root, `${repo}:1`, blobBytes(2_000, i + 1))
  const child = await startChild(t, dir, 'branch', root.url, root.readKey, `repositories: [${REPOS.join(', ')}]\nsync: { stream: { enabled: false } }\n`)
  for (const repo of REPOS) await inSync(child, repo)
  const s = syncOf(child)
  const rootPaths = loggedPaths(root)
  const count = (paths: string[], p: string) => paths.filter((x) => x === p).length
  const FEED = '/api/v1/federation/changes'

  // Each repository's first sync took it whole; the next round finds them all quiet.
  let before = await rootPaths()
  await s.scheduler.syncAll()
  let after = await rootPaths()
  t.equal(count(after, FEED) - count(before, FEED), 1, 'a round of 12 quiet repositories asks the feed once')
  t.notOk(after.slice(before.length).some((p) => p.startsWith('/api/v1/repos/')), 'and fetches none of them whole')
  for (const repo of REPOS) t.equal(s.status.get(repo).state, 'in-sync', `${repo} is in sync`)

  // One repository changes: that round reads the feed, then syncs that one through its own feed.
  const id = await publish(root, 'acme/r3:2', blobBytes(2_000, 99))
  before = await rootPaths()
  await s.scheduler.syncAll()
  after = await rootPaths()
  t.equal((await s.repos.get('acme/r3'))?.tags['2'], id, 'the changed repository has its new tag')
  t.equal(count(after, FEED) - count(before, FEED), 2, 'the whole feed once, and the changed repository\'s own once')
  t.equal(count(after.slice(before.length), `/api/v1/blobs/sha256:${id}`), 1, 'its new blob was fetched once')
  for (const repo of REPOS) t.equal(s.status.get(repo).state, 'in-sync', `${repo} is in sync`)

  // The next round finds everything quiet again, the changed one included.
  before = await rootPaths()
  await s.scheduler.syncAll()
  after = await rootPaths()
  t.equal(count(after, FEED) - count(before, FEED), 1, 'quiet again: one read')
})
