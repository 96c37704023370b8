// A child (a real process) killed with SIGKILL leaves its sync lease in the index, running for
// `sync.lease` (an hour here). Started again on the same machine, it sees the holder's process is gone
// and leads at once instead of waiting for the lease to run out.
import t from 'tap'
import { tempDir } from './helpers/sites.ts'
import { startNode, type NodeOptions } from './helpers/nodes.ts'
import { blobBytes, publish, startRoot, waitFor } from './helpers/sync.ts'

t.test('restarted after SIGKILL, a site leads its sync at once', async (t) => {
  const dir = tempDir(t)
  const root = await startRoot(t, dir)
  const v1 = await publish(root, 'acme/app:1.0', blobBytes(5000, 1))
  const o: NodeOptions = { dir, name: 'site', rootUrl: root.url, key: root.readKey, redisUrl: 'embedded', extra: 'repositories: [acme/app]\nsync: { interval: 1h, lease: 1h }\n' }
  const leads = (n: { lines: Record<string, unknown>[] }) => n.lines.some((l) => l.msg === 'sync leader: this process synchronizes the site')
  const first = await startNode(t, o)
  await waitFor('the first process leads', () => leads(first))
  await first.kill()

  const v2 = await publish(root, 'acme/app:2.0', blobBytes(6000, 2))
  const second = await startNode(t, o)
  await waitFor('the restarted process leads', () => leads(second))
  await waitFor('and syncs', async () => (await second.tags('acme/app'))?.latest === v2)
  t.pass(`served ${v1.slice(0, 8)}, then ${v2.slice(0, 8)}`)
})
