// A child on a real redis-server holds its sync lease; when another holder has it (here written into
// Redis directly), the child stops syncing at its next renewal: an admin sync is refused with
// GW_ERR_NOT_SYNC_LEADER and /health says it does not lead, while it still serves what it holds. Once
// the lease is free again, the child takes it and syncs what it missed.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fetchText, tempDir } from './helpers/sites.ts'
import { startRedis } from './helpers/redis.ts'
import { blobBytes, inSync, issueKey, publish, startChild, startRoot, waitFor } from './helpers/sync.ts'
import { IndexStore } from '../plugins/hub/store/index.ts'

t.test('a child that lost its sync lease stops syncing, and resumes once it holds it again', async (t) => {
  const dir = tempDir(t)
  const redis = await startRedis(t)
  const root = await startRoot(t, dir)
  const v1 = await publish(root, 'acme/app:1.0', blobBytes(5000, 1))
  const child = await startChild(t, dir, 'branch', root.url, root.readKey, `repositories: [acme/app]\nstore: { index: "${redis.url}" }\nsync: { interval: 1h, lease: 1s, stream: { enabled: false } }\n`)
  await inSync(child, 'acme/app')
  const admin = await issueKey(child, 'admin')
  const auth = { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }
  const leads = async () => (JSON.parse((await fetchText(child, '/health', { headers: auth })).body) as { sync: { leader: boolean } }).sync.leader
  t.equal(await leads(), true, 'the child leads its sync')

  // Another process's lease, with no expiry.
  const index = await IndexStore.open(redis.url, { dir, prefix: 'fedgate:branch:' })
  t.teardown(() => index.close())
  const folder = readFileSync(join(child.gw.service<{ dir: string }>('blobStore')!.dir, 'folder-id'), 'utf8')
  await index.set(`lease/sync/${folder}`, 'another-process')
  await waitFor('the child sees it lost the lease', () => child.logs.lines().some((l) => l.msg === 'sync lease lost: another process synchronizes the site'))
  t.equal(await leads(), false, '/health says it does not lead')

  const v2 = await publish(root, 'acme/app:2.0', blobBytes(6000, 2))
  const refused = await fetchText(child, '/api/v1/admin/sync', { method: 'POST', headers: auth, body: JSON.stringify({ name: 'acme/app', wait: true }) })
  t.equal(refused.status, 503)
  t.match(JSON.parse(refused.body), { error: { code: 'GW_ERR_NOT_SYNC_LEADER' } })
  const held = JSON.parse((await fetchText(child, '/api/v1/repos/acme/app')).body) as { tags: Record<string, string> }
  t.equal(held.tags.latest, v1, 'it still serves what it holds')

  await index.delete([`lease/sync/${folder}`])
  await waitFor('the child leads again and syncs what it missed', async () => (JSON.parse((await fetchText(child, '/api/v1/repos/acme/app')).body) as { tags: Record<string, string> }).tags.latest === v2)
  t.equal(await leads(), true)
})
