// Two nodes of one child site (real `fedgate start` processes) on a real redis-server and one shared
// blob folder: one holds the sync lease and syncs, the other only serves. The leader is killed with
// SIGKILL while a big blob arrives slowly; within the lease time the other node takes over, resumes the
// dead leader's partial download with a Range request (the blob is not fetched twice in full) and
// commits. Until then the half-downloaded image is served by nobody.
import t from 'tap'
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { sharedFolderNodes, startNode } from './helpers/nodes.ts'
import { blobBytes, publish, sha256, waitFor } from './helpers/sync.ts'

const SIZE = 1024 * 1024

t.test('the leader killed mid-sync, the other node takes over and resumes its download', async (t) => {
  // Each node reaches the root through its own proxy, which counts the bytes it receives.
  const { root, v1, shared, proxies, options } = await sharedFolderNodes(t, { firstBlob: 20_000 })
  const [pa, pb] = proxies
  // The change stream is on; rounds are an hour apart; a short lease, so the takeover is quick.
  const node = (name: string, i: 0 | 1) => options(name, i, 'sync: { interval: 1h, lease: 2s }\n')
  const a = await startNode(t, node('node-a', 0))
  await waitFor('node a serves v1', async () => (await a.tags('acme/app'))?.latest === v1)
  const b = await startNode(t, node('node-b', 1))
  await waitFor('node b serves v1', async () => (await b.tags('acme/app'))?.latest === v1)
  const leads = (n: typeof a) => n.lines.some((l) => l.msg === 'sync leader: this process synchronizes the site')
  t.ok(leads(a), 'node a, first, leads')
  t.notOk(leads(b), 'node b does not')

  // The announced publish reaches node a's stream; its big blob arrives slowly.
  pa.rate = 128 * 1024
  const big = blobBytes(SIZE, 2)
  const v2 = await publish(root, 'acme/app:2.0', big)
  const partial = () => readdirSync(join(shared, 'partial')).find((f) => f.startsWith(v2))
  await waitFor('node a has part of the blob', () => {
    const f = partial()
    return f && statSync(join(shared, 'partial', f)).size > SIZE / 8
  }, 60_000)
  await a.kill()
  const kept = statSync(join(shared, 'partial', partial()!)).size
  t.ok(kept < SIZE, `the dead leader left ${kept} bytes`)
  t.not((await b.tags('acme/app'))?.latest, v2, 'not committed: node b does not serve the half-downloaded image')

  const before = pb.bytesDown
  await waitFor('node b took over and committed', async () => (await b.tags('acme/app'))?.latest === v2, 60_000)
  t.ok(leads(b), 'node b leads')
  const fetched = pb.bytesDown - before
  t.ok(fetched < SIZE, `node b fetched ${fetched} bytes from the root: the rest, not the whole blob`)
  t.ok(fetched >= SIZE - kept, 'at least what was missing')
  const res = await b.get(`/api/v1/blobs/sha256:${v2}`)
  t.equal(res.status, 200)
  t.equal(sha256(res.body), v2, 'the blob served is whole and verified')
  t.notOk(partial(), 'no partial download is left')
})
