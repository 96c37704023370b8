// /metrics' fedgate_sync_leader is 1 while this process holds the site's sync lease and 0 once another
// holds it: a child on a real redis-server leads, then another holder's lease (written into Redis
// directly, for a minute) takes the lead from it at its next renewal, and /health names that holder and
// until when.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { tempDir } from './helpers/sites.ts'
import { startRedis } from './helpers/redis.ts'
import { scrape } from './helpers/metrics.ts'
import { healthOf } from './helpers/hub.ts'
import { issueKey, startChild, startRoot, waitFor } from './helpers/sync.ts'
import { createClient } from '@keyv/redis'

t.test('fedgate_sync_leader is 1 while this process leads, 0 once another holds the lease', async (t) => {
  const dir = tempDir(t)
  const redis = await startRedis(t)
  const root = await startRoot(t, dir)
  const child = await startChild(t, dir, 'branch', root.url, root.readKey, `store: { index: "${redis.url}" }\nsync: { interval: 1h, lease: 1s, stream: { enabled: false } }\n`)
  const admin = { authorization: `Bearer ${await issueKey(child, 'admin')}` }
  const leaderGauge = async () => (await scrape(`${child.url}/metrics`, { dispatcher: child.agent, headers: admin })).value('fedgate_sync_leader')

  t.equal(await leaderGauge(), 1, 'the only process leads')
  const own = (await healthOf(child)).sync
  t.equal(own.leader, true)
  t.equal(own.lease.holder, own.lease.self, '/health: this process holds the lease')

  const client = createClient({ url: redis.url })
  await client.connect()
  t.teardown(() => client.close())
  const folder = readFileSync(join(child.gw.service<{ dir: string }>('blobStore')!.dir, 'folder-id'), 'utf8')
  const taken = Date.now()
  await client.set(`fedgate:branch:lease/sync/${folder}`, 'other-host:1234:abcd', { PX: 60_000 })
  await waitFor('the child sees it lost the lease', async () => (await leaderGauge()) === 0)
  t.pass('0 once another holds the lease')
  const other = (await healthOf(child)).sync
  t.equal(other.leader, false)
  t.equal(other.lease.holder, 'other-host:1234:abcd', '/health names the holder')
  const until = Date.parse(other.lease.until)
  t.ok(until > taken && until <= Date.now() + 60_000, `and until when its lease runs (${other.lease.until})`)
})
