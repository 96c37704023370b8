// Two nodes of one child site (real `fedgate start` processes) on one redis-server and one shared blob
// folder: node a has stored a blob for a sync it has not committed yet (its other blob still arriving),
// which no snapshot references; node b commits a sync of its own and collects meanwhile. Node b cannot
// see node a's pins: the collection grace (sync.partialMaxAge with a Redis index) keeps the young blob,
// while an unreferenced blob older than the grace goes. Node a's commit is then served whole by both.
import t from 'tap'
import { existsSync, utimesSync } from 'node:fs'
import { join } from 'node:path'
import { tempDir } from './helpers/sites.ts'
import { startRedis } from './helpers/redis.ts'
import { keysBefore } from './helpers/process.ts'
import { startNode, writeNode, type NodeOptions } from './helpers/nodes.ts'
import { storeImage } from './helpers/stores.ts'
import { blobBytes, publish, sha256, startRoot, startTcpProxy, waitFor } from './helpers/sync.ts'
import { FileBlobStore } from '../plugins/hub/store/blob-store.ts'

t.test('a node\'s collection spares a blob another node stored and has not committed yet', async (t) => {
  const dir = tempDir(t)
  const redis = await startRedis(t)
  const root = await startRoot(t, dir)
  const v1 = await publish(root, 'acme/app:1.0', blobBytes(20_000, 1))
  const o1 = await publish(root, 'acme/other:1.0', blobBytes(20_000, 3))
  const shared = join(dir, 'shared-store')
  // Node a reaches the root through a proxy that can slow it down; node b directly.
  const proxy = await startTcpProxy(t, { host: '127.0.0.1', port: root.gw.httpsPort })
  const node = (name: string, rootUrl: string): NodeOptions => ({
    dir,
    name,
    rootUrl,
    key: root.readKey,
    redisUrl: redis.url,
    store: `dir: "${shared}"`,
    // The rounds are an hour apart: after its first round a node syncs only when asked.
    extra: 'repositories: [acme/app, acme/other]\nsync: { interval: 1h, stream: { enabled: false } }\n',
  })
  const [adminKey] = await keysBefore(writeNode(node('node-a', proxy.url)), [{ name: 'ops', scope: 'admin' }])
  const a = await startNode(t, node('node-a', proxy.url))
  await waitFor('node a serves both', async () => (await a.tags('acme/app'))?.latest === v1 && (await a.tags('acme/other'))?.latest === o1)
  const b = await startNode(t, node('node-b', root.url))
  await waitFor('node b serves both', async () => (await b.tags('acme/app'))?.latest === v1 && (await b.tags('acme/other'))?.latest === o1)

  // A blob nobody references, left two days ago: a collection removes it (so one ran).
  const store = await new FileBlobStore(shared).open()
  const stale = await storeImage(store, 'left unreferenced two days ago')
  const twoDaysAgo = (Date.now() - 2 * 86_400_000) / 1000
  utimesSync(store.path(stale.id), twoDaysAgo, twoDaysAgo)

  // Node a's next snapshot needs a small blob and a big one; the big one arrives slowly.
  const small = await publish(root, 'acme/app:2.0', blobBytes(2_000, 4))
  const big = await publish(root, 'acme/app:3.0', blobBytes(1024 * 1024, 5))
  proxy.rate = 32 * 1024
  t.equal(await a.sync(adminKey!, 'acme/app', false), 202, 'node a started its sync')
  await waitFor('node a stored the small blob', () => existsSync(store.path(small)))
  t.notOk((await b.tags('acme/app'))?.['2.0'], 'not committed: no snapshot references it yet')

  // Node b commits a sync of its own, and collects.
  const o2 = await publish(root, 'acme/other:2.0', blobBytes(20_000, 6))
  t.equal(await b.sync(adminKey!, 'acme/other'), 200, 'node b synchronized')
  t.equal((await b.tags('acme/other'))?.latest, o2)
  await waitFor('node b collected the stale blob', () => !existsSync(store.path(stale.id)))
  t.ok(existsSync(store.path(small)), 'the blob node a has not committed yet is kept')

  proxy.rate = 0
  await waitFor('node a committed', async () => (await b.tags('acme/app'))?.latest === big, 60_000)
  for (const n of [a, b]) {
    for (const id of [small, big]) {
      const res = await n.get(`/api/v1/blobs/sha256:${id}`)
      t.equal(res.status, 200, `${n.file}: ${id.slice(0, 12)}`)
      t.equal(sha256(res.body), id, 'whole')
    }
  }
})
