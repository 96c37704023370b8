// root → middle site → branch: a round at the branch settles the repositories the middle holds with one
// read of the middle's feed, though one repository the middle does not hold (forwarded to the root, and
// counted by the root's store) comes first; that one asks its own feed, and a change the middle takes
// from the root still reaches the branch.
import t from 'tap'
import { tempDir } from './helpers/sites.ts'
import { startRoot, startChild, publish, inSync, issueKey, syncOf, blobBytes, loggedPaths } from './helpers/sync.ts'

t.test('a branch round reads its middle site\'s feed once for what the middle holds', async (t) => {
  const dir = tempDir(t)
  const root = await startRoot(t, dir)
  for (const [i, ref] of ['acme/a:1', 'acme/b:1', 'acme/c:1', 'aaa/x:1'].entries()) await publish(root, ref, blobBytes(1_000, i + 1))
  const middle = await startChild(t, dir, 'region', root.url, root.readKey, 'repositories: [acme/*]\n')
  for (const r of ['acme/a', 'acme/b', 'acme/c']) await inSync(middle, r)
  const repos = ['aaa/x', 'acme/a', 'acme/b', 'acme/c']
  const branch = await startChild(t, dir, 'branch', middle.url, await issueKey(middle, 'read', 'branch'), `repositories: [${repos.join(', ')}]\nsync: { stream: { enabled: false } }\n`)
  for (const r of repos) await inSync(branch, r)
  const s = syncOf(branch)
  t.same(await s.scheduler.selected(), repos, 'the repository the middle forwards comes first in the round')
  const middlePaths = loggedPaths(middle)
  const feedAsks = (paths: string[]) => paths.filter((p) => p === '/api/v1/federation/changes').length

  // The round the branch started with may still be finishing a repository it already reports in sync (a
  // repository whose sync runs is synced on its own, asking its own feed: 3 asks, once in a full run).
  // This round waits for it; the next one is the one counted.
  await s.scheduler.syncAll()
  let before = await middlePaths()
  await s.scheduler.syncAll()
  let after = await middlePaths()
  t.equal(feedAsks(after) - feedAsks(before), 2, 'the middle\'s whole feed once, and the forwarded repository\'s own once')
  t.notOk(after.slice(before.length).some((p) => p.startsWith('/api/v1/repos/acme/')), 'none of what the middle holds fetched whole')
  for (const r of repos) t.equal(s.status.get(r).state, 'in-sync', `${r} is in sync`)

  const id = await publish(root, 'acme/b:2', blobBytes(1_000, 50))
  await syncOf(middle).scheduler.request('acme/b')
  before = await middlePaths()
  await s.scheduler.syncAll()
  after = await middlePaths()
  t.equal((await s.repos.get('acme/b'))?.tags['2'], id, 'the change the middle took reaches the branch')
  t.equal(feedAsks(after) - feedAsks(before), 3, 'the whole feed, the changed repository\'s own, the forwarded one\'s own')
})
