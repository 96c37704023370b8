// A graceful stop lets a sync that is committing finish before the store closes: the commit lands
// whole, instead of running against a closed index (and failing) after the site said it stopped.
import t from 'tap'
import { tempDir } from './helpers/sites.ts'
import { startRoot, startChild, publish, inSync, syncOf, blobBytes } from './helpers/sync.ts'
import type { RepoState } from '../plugins/hub/model.ts'

t.test('stopping waits for the running sync\'s commit', async (t) => {
  const dir = tempDir(t)
  const root = await startRoot(t, dir)
  await publish(root, 'acme/app:1.0', blobBytes(2000, 1))
  const child = await startChild(t, dir, 'branch', root.url, root.readKey, 'repositories: [acme/app]\n')
  await inSync(child, 'acme/app')
  const s = syncOf(child)

  // The next commit waits at a gate, which opens only once the stop has reached the scheduler.
  let open!: () => void
  const gate = new Promise<void>((r) => (open = r))
  let reached!: () => void
  const atCommit = new Promise<void>((r) => (reached = r))
  const commit = s.repos.commit.bind(s.repos)
  let committed: RepoState | Error | undefined
  s.repos.commit = async (...args: Parameters<typeof commit>) => {
    reached()
    await gate
    try {
      return (committed = await commit(...args))
    } catch (err) {
      committed = err as Error
      throw err
    }
  }
  const close = s.scheduler.close.bind(s.scheduler)
  s.scheduler.close = () => {
    open()
    return close()
  }

  await publish(root, 'acme/app:2.0', blobBytes(3000, 2))
  const syncing = s.scheduler.request('acme/app')
  await atCommit
  await child.gw.close()
  t.ok(committed && !(committed instanceof Error), `the commit landed before the store closed (${committed instanceof Error ? committed.message : 'ok'})`)
  t.equal(s.status.get('acme/app').state, 'in-sync', 'and the sync ended in sync')
  await syncing
})
