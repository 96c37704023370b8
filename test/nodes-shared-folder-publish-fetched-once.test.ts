// Two nodes of one child site (real `fedgate start` processes) on a real redis-server and one shared
// blob folder, both with the change stream on: a publish at the root is fetched from it once, by the
// node holding the sync lease, and served by both.
import t from 'tap'
import { sharedFolderNodes, startNode } from './helpers/nodes.ts'
import { blobBytes, publish, sha256, waitFor } from './helpers/sync.ts'

const SIZE = 512 * 1024

t.test('a publish is fetched from the root once for two nodes', async (t) => {
  // Each node reaches the root through its own proxy, which counts the bytes it receives.
  const { root, v1, proxies, options } = await sharedFolderNodes(t, { firstBlob: 20_000 })
  const node = (name: string, i: 0 | 1) => options(name, i, 'sync: { interval: 1h }\n')
  const nodes = [await startNode(t, node('node-a', 0)), await startNode(t, node('node-b', 1))]
  for (const n of nodes) await waitFor(`${n.file} serves v1`, async () => (await n.tags('acme/app'))?.latest === v1)

  const received = () => proxies[0].bytesDown + proxies[1].bytesDown
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
