// A sync leader whose Redis stops answering (the server frozen with SIGSTOP: its socket stays open, so
// commands wait rather than fail) stands down before its lease can run out in Redis, where another
// process could take it: it logs that it lost the lease and no longer leads. Before, its renewal
// waited for ever and it went on syncing beside the next leader.
import t from 'tap'
import { fetchText, tempDir } from './helpers/sites.ts'
import { startRedis } from './helpers/redis.ts'
import { blobBytes, inSync, issueKey, publish, startChild, startRoot, waitFor } from './helpers/sync.ts'
import type { SyncLeader } from '../plugins/sync/leader.ts'

t.test('a leader whose Redis hangs stops leading within its lease', async (t) => {
  const dir = tempDir(t)
  const redis = await startRedis(t)
  const thaw = () => void process.kill(redis.pid, 'SIGCONT')
  t.teardown(thaw)
  const root = await startRoot(t, dir)
  await publish(root, 'acme/app:1.0', blobBytes(5000, 1))
  const child = await startChild(t, dir, 'branch', root.url, root.readKey, `repositories: [acme/app]\nstore: { index: "${redis.url}" }\nsync: { interval: 1h, lease: 1s, stream: { enabled: false } }\n`)
  await inSync(child, 'acme/app')
  const admin = await issueKey(child, 'admin')
  const health = async () => JSON.parse((await fetchText(child, '/health', { headers: { authorization: `Bearer ${admin}` } })).body) as { sync: { leader: boolean } }
  t.equal((await health()).sync.leader, true, 'the child leads its sync')
  const leader = child.gw.service<SyncLeader>('syncLeader')!

  process.kill(redis.pid, 'SIGSTOP')
  // Bounded by the lease with room for a loaded machine, and below the Redis client's 5 s command
  // timeout, which alone would also end a hung renewal.
  await waitFor('the leader to stand down', () => !leader.leading, 4000)
  t.same(leader.view().leading, false, 'it reports leading: false')
  const lost = child.logs.lines().find((l) => l.msg === 'sync lease lost: another process synchronizes the site')
  t.ok(lost, 'it logs that it lost the lease')
  t.match(child.logs.lines().find((l) => l.msg === 'cannot renew the sync lease')?.reason, /did not answer/, 'and why: the index did not answer')

  // Redis answers again: the lease ran out there, so this process takes it back.
  thaw()
  await waitFor('the child leads again', async () => (await health()).sync.leader, 20_000)
  t.pass('it leads again once Redis answers')
})
