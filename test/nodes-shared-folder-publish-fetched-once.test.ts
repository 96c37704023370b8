// Two nodes of one child site (real `fedgate start` processes) on a real redis-server and one shared
// blob folder, both with the change stream on: a publish at the root is fetched from it once, by the
// node holding the sync lease, and served by both.
import t from 'tap'
import { join } from 'node:path'
import { tempDir } from './helpers/sites.ts'
import { startRedis } from './helpers/redis.ts'
import { startNode, type NodeOptions } from './helpers/nodes.ts'
import { blobBytes, publish, sha256, startRoot, startTcpProxy, waitFor } from './helpers/sync.ts'

const SIZE = 512 * 1024

t.test('a publish is fetched from the root once for two nodes', async (t) => {
  const dir = tempDir(t)
  const redis = await startRedis(t)
  const root = await startRoot(t, dir)
  const v1 = await publish(root, 'acme/app:1.0', blobBytes(20_000, 1))
  const shared = join(dir, 'shared-store')
  // Each node reaches the root through its own proxy, which counts the bytes it receives.
  const toRoot = { host: '127.0.0.1', port: root.gw.httpsPort }
  const proxies = [await startTcpProxy(t, toRoot), await startTcpProxy(t, toRoot)]
  const node = (name: string, rootUrl: string): NodeOptions => ({ dir, name, rootUrl, key: root.readKey, redisUrl: redis.url, store: `dir: "${shared}"`, extra: 'repositories: [acme/app]\nsync: { interval: 1h }\n' })
  const nodes = [await startNode(t, node('node-a', proxies[0]!.url)), await startNode(t, node('node-b', proxies[1]!.url))]
  for (const n of nodes) await waitFor(`${n.file} serves v1`, async () => (await n.tags('acme/app'))?.latest === v1)

  const received = () => proxies[0]!.bytesDown + proxies[1]!.bytesDown
  const before = received()
  const v2 = await publish(root, 'acme/app:2.0', blobBytes(SIZE, 2))
  for (const n of nodes) await waitFor(`${n.file} serves v2`, async () => (await n.tags('acme/app'))?.latest === v2)
  const fetched = received() - before
  t.ok(fetched >= SIZE, `the nodes received ${fetched} bytes from the root`)
  t.ok(fetched < 2 * SIZE, 'the blob once, not once per node')
  for (const n of nodes) {
    const res = await n.get(`/api/v1/blobs/sha256:${v2}`)
    t.equal(res.status, 200)
    t.equal(sha256(res.body), v2, `${n.file} serves it whole`)
  }
})
