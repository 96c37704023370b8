// Two nodes of one child site on a real redis-server and one shared blob folder. The sync leader is
// frozen (SIGSTOP) mid-download for longer than its lease; the other node takes the lease and resumes
// the download from the same partial file. When the old leader is thawed (SIGCONT), it went on writing
// what its socket had buffered into that file before it noticed the lease was gone, at its own offsets,
// under the new leader's appends: the new leader then placed a blob whose bytes are not its digest and
// served it. A process writes a partial only while its lease certainly runs: the blob served is whole.
import t from 'tap'
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { sharedFolderNodes, startNode } from './helpers/nodes.ts'
import { blobBytes, publish, sha256, waitFor } from './helpers/sync.ts'

// The compiled fedgate (`npm test` builds it first): the nodes start far quicker than under tsx.
const BIN = fileURLToPath(new URL('../gateway/cli/bin.mjs', import.meta.url))
const SIZE = 1024 * 1024

t.test('a leader thawed after its lease ran out writes nothing more into the shared download', async (t) => {
  const { root, v1, shared, proxies, options } = await sharedFolderNodes(t, { firstBlob: 2000, program: [BIN] })
  const [pa, pb] = proxies
  const node = (name: string, i: 0 | 1) => options(name, i, 'sync: { interval: 1h, lease: 1s }\n')
  const a = await startNode(t, node('node-a', 0))
  const b = await startNode(t, node('node-b', 1))
  const leads = (n: typeof a) => n.lines.some((l) => l.msg === 'sync leader: this process synchronizes the site')
  await waitFor('node a serves v1', async () => (await a.tags('acme/app'))?.latest === v1)
  t.ok(leads(a), 'node a, first, leads')
  t.notOk(leads(b), 'node b does not')
  const thaw = () => void process.kill(a.proc.pid!, 'SIGCONT')
  t.teardown(thaw)

  // Node a's download arrives slowly; frozen, its socket keeps receiving what the proxy sends.
  pa.rate = 256 * 1024
  pb.rate = 16 * 1024
  const v2 = await publish(root, 'acme/app:2.0', blobBytes(SIZE, 2))
  const partialSize = () => {
    const f = readdirSync(join(shared, 'partial')).find((n) => n.startsWith(v2))
    return f ? statSync(join(shared, 'partial', f)).size : 0
  }
  await waitFor('node a has part of the blob', () => partialSize() > SIZE / 16)
  process.kill(a.proc.pid!, 'SIGSTOP')
  const kept = partialSize()
  await waitFor('node b took the lease and resumes the download', () => leads(b) && partialSize() > kept)
  thaw()
  await waitFor('node a knows it no longer leads', () => a.lines.some((l) => l.msg === 'sync lease lost: another process synchronizes the site'))
  pb.rate = 0

  await waitFor('node b committed v2', async () => (await b.tags('acme/app'))?.latest === v2)
  for (const n of [b, a]) {
    const res = await n.get(`/api/v1/blobs/sha256:${v2}`)
    t.equal(res.status, 200)
    t.equal(sha256(res.body), v2, 'the blob served is its digest')
  }
})
