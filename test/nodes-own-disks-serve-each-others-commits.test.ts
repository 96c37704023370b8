// Two nodes of one child site (real `fedgate start` processes), one index on a real redis-server, each
// with its own disk (docs/sync.md, "Several gateway nodes at one site"): both serve; a sync committed by
// one is served by the other, which did not sync: its tags at once (it follows the index), the bytes it
// lacks forwarded to the root.
import t from 'tap'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { tempDir } from './helpers/sites.ts'
import { startRedis } from './helpers/redis.ts'
import { keysBefore } from './helpers/process.ts'
import { startNode, writeNode, type NodeOptions } from './helpers/nodes.ts'
import { blobBytes, publish, sha256, startRoot, waitFor } from './helpers/sync.ts'
import { FileBlobStore } from '../plugins/hub/store/blob-store.ts'

t.test('nodes on their own disks serve each other\'s commits', async (t) => {
  const dir = tempDir(t)
  const redis = await startRedis(t)
  const root = await startRoot(t, dir)
  const v1 = await publish(root, 'acme/app:1.0', blobBytes(20_000, 1))
  // The rounds are an hour apart and no node follows the change stream: after its first round a node
  // syncs only when asked (each disk needs the bytes, so each node leads the sync of its own folder and
  // would sync each announced commit itself).
  const node = (name: string): NodeOptions => ({ dir, name, rootUrl: root.url, key: root.readKey, redisUrl: redis.url, extra: 'repositories: [acme/app]\nsync: { interval: 1h, stream: { enabled: false } }\n' })
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
  t.same(await b.tags('acme/app'), { '1.0': v1, '2.0': v2, latest: v2 }, 'node b serves node a\'s snapshot')
  t.equal(synced(), bSynced, 'without synchronizing itself')
  const bStore = new FileBlobStore(join(dir, 'node-b', '.fedgate', 'branch', 'store'))
  t.notOk(existsSync(bStore.path(v2)), 'the new blob is not on node b\'s disk')
  t.ok(existsSync(new FileBlobStore(join(dir, 'node-a', '.fedgate', 'branch', 'store')).path(v2)), 'it is on node a\'s')
  const content = await b.get('/api/v1/repos/acme/app/images/latest/content')
  t.equal(content.status, 200, 'node b answers its content')
  t.equal(sha256(content.body), v2, 'forwarded to the root, whole')
})
