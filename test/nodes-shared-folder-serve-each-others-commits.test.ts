// Two nodes of one child site (real `fedgate start` processes), one index on a real redis-server and one
// shared blob folder (docs/sync.md, "Several gateway nodes at one site"): both serve; a sync committed
// by one is served whole by the other, from the shared folder, even with the root gone.
import t from 'tap'
import { join } from 'node:path'
import { tempDir } from './helpers/sites.ts'
import { startRedis } from './helpers/redis.ts'
import { keysBefore } from './helpers/process.ts'
import { startNode, writeNode, type NodeOptions } from './helpers/nodes.ts'
import { blobBytes, publish, sha256, startRoot, waitFor } from './helpers/sync.ts'

t.test('nodes on one shared folder serve each other\'s commits', async (t) => {
  const dir = tempDir(t)
  const redis = await startRedis(t)
  const root = await startRoot(t, dir)
  const v1 = await publish(root, 'acme/app:1.0', blobBytes(20_000, 1))
  const shared = join(dir, 'shared-store')
  // The rounds are an hour apart; the change stream is on: node a, which holds the sync lease, follows it.
  const node = (name: string): NodeOptions => ({ dir, name, rootUrl: root.url, key: root.readKey, redisUrl: redis.url, store: `dir: "${shared}"`, extra: 'repositories: [acme/app]\nsync: { interval: 1h }\n' })
  const [adminKey] = await keysBefore(writeNode(node('node-a')), [{ name: 'ops', scope: 'admin' }])
  const a = await startNode(t, node('node-a'))
  await waitFor('node a serves v1', async () => (await a.tags('acme/app'))?.latest === v1)
  const b = await startNode(t, node('node-b'))
  await waitFor('node b serves v1', async () => (await b.tags('acme/app'))?.latest === v1)
  for (const n of [a, b]) {
    const blob = await n.get(`/api/v1/blobs/sha256:${v1}`)
    t.equal(blob.status, 200, `${n.file}: serves the blob`)
    t.equal(sha256(blob.body), v1)
  }

  const v2 = await publish(root, 'acme/app:2.0', blobBytes(30_000, 2))
  const synced = () => b.lines.filter((l) => l.msg === 'repository synchronized').length
  const bSynced = synced()
  t.equal(await a.sync(adminKey!, 'acme/app'), 200, 'node a synchronized')
  t.equal((await a.tags('acme/app'))?.latest, v2, 'node a serves its commit')
  await waitFor('node b follows the commit', async () => (await b.tags('acme/app'))?.latest === v2)
  t.equal(synced(), bSynced, 'node b did not synchronize itself')

  // With the root gone, node b can only answer from the shared folder.
  await root.gw.close()
  t.same(await b.tags('acme/app'), { '1.0': v1, '2.0': v2, latest: v2 }, 'node b serves node a\'s snapshot')
  for (const path of ['/api/v1/repos/acme/app/images/latest/content', `/api/v1/blobs/sha256:${v2}`]) {
    const res = await b.get(path)
    t.equal(res.status, 200, `node b: ${path}`)
    t.equal(sha256(res.body), v2, 'whole, from the shared folder')
  }
})
