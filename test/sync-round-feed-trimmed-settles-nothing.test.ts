// When the root's change log no longer reaches back to where the child's repositories last were (trimmed
// by other repositories' changes), a round settles none of them from the feed: each syncs on its own, a
// changed one takes its new tag, and every one ends in sync.
import t from 'tap'
import { tempDir } from './helpers/sites.ts'
import { startRoot, startChild, publish, inSync, syncOf, blobBytes } from './helpers/sync.ts'

t.test('a trimmed feed settles nothing: every repository syncs itself', async (t) => {
  const dir = tempDir(t)
  // The log keeps 4 entries: the publishes below trim it past every place the child holds.
  const root = await startRoot(t, dir, 'root', 'store: { changeLogKeep: 4 }\n')
  const repos = ['acme/a', 'acme/b', 'acme/c']
  for (const [i, repo] of repos.entries()) await publish(root, `${repo}:1`, blobBytes(2_000, i + 1))
  const child = await startChild(t, dir, 'branch', root.url, root.readKey, `repositories: [${repos.join(', ')}]\nsync: { stream: { enabled: false } }\n`)
  for (const repo of repos) await inSync(child, repo)
  const s = syncOf(child)

  const quietBefore = (await s.repos.get('acme/a'))!.tags
  const id = await publish(root, 'acme/b:2', blobBytes(2_000, 50))
  for (let i = 0; i < 4; i++) await publish(root, `acme/elsewhere:${i}`, blobBytes(500, 60 + i))
  await s.scheduler.syncAll()
  t.equal((await s.repos.get('acme/b'))?.tags['2'], id, 'the changed repository has its new tag')
  for (const repo of repos) t.equal(s.status.get(repo).state, 'in-sync', `${repo} is in sync`)
  t.same((await s.repos.get('acme/a'))!.tags, quietBefore, 'a quiet one is as it was')
})
