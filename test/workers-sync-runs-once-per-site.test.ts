// `fedgate start --workers 2` (a real process) on the embedded index: the workers share the store, and
// one of them, holding the sync lease, syncs and follows the change stream. A publish at the root is
// fetched once and served by every worker.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Agent, request } from 'undici'
import { tempDir } from './helpers/sites.ts'
import { keysBefore } from './helpers/process.ts'
import { startNode, writeNode, type NodeOptions } from './helpers/nodes.ts'
import { blobBytes, publish, sha256, startRoot, startTcpProxy, waitFor } from './helpers/sync.ts'

const SIZE = 512 * 1024

t.test('two workers fetch a publish once and both serve it', async (t) => {
  const dir = tempDir(t)
  const root = await startRoot(t, dir)
  const v1 = await publish(root, 'acme/app:1.0', blobBytes(20_000, 1))
  const proxy = await startTcpProxy(t, { host: '127.0.0.1', port: root.gw.httpsPort })
  const o: NodeOptions = { dir, name: 'site', rootUrl: proxy.url, key: root.readKey, redisUrl: 'embedded', args: ['--workers', '2'], extra: 'repositories: [acme/app]\nsync: { interval: 1h }\n' }
  const [adminKey] = await keysBefore(writeNode(o), [{ name: 'ops', scope: 'admin' }])
  const site = await startNode(t, o)
  await waitFor('both workers listen', () => site.lines.filter((l) => l.msg === 'fedgate listening').length === 2)
  t.equal(site.lines.filter((l) => l.msg === 'sync leader: this process synchronizes the site').length, 1, 'one worker leads the sync')
  const ca = readFileSync(join(dir, 'certs', 'ca.crt'), 'utf8')

  /** Asks `path` on fresh connections (the workers take them in turn) until two workers answered. */
  const everyWorker = async (path: string) => {
    const answers = new Map<number, { status: number; body: Buffer }>()
    for (let i = 0; i < 40 && answers.size < 2; i++) {
      // One connection, so one worker answers both: /health's detail names it.
      const agent = new Agent({ connect: { ca }, connections: 1 })
      const health = await request(`${site.url}/health`, { dispatcher: agent, headers: { authorization: `Bearer ${adminKey}` } })
      const pid = ((await health.body.json()) as { process: { pid: number } }).process.pid
      const res = await request(`${site.url}${path}`, { dispatcher: agent })
      answers.set(pid, { status: res.statusCode, body: Buffer.from(await res.body.arrayBuffer()) })
      await agent.close()
    }
    return [...answers.values()]
  }
  for (const a of await everyWorker('/api/v1/repos/acme/app')) t.equal(JSON.parse(a.body.toString()).tags.latest, v1)

  const before = proxy.bytesDown
  const v2 = await publish(root, 'acme/app:2.0', blobBytes(SIZE, 2))
  await waitFor('every worker serves v2', async () => (await everyWorker('/api/v1/repos/acme/app')).every((a) => a.status === 200 && JSON.parse(a.body.toString()).tags.latest === v2))
  const fetched = proxy.bytesDown - before
  t.ok(fetched >= SIZE, `the site received ${fetched} bytes from the root`)
  t.ok(fetched < 2 * SIZE, 'the blob once, not once per worker')
  const blobs = await everyWorker(`/api/v1/blobs/sha256:${v2}`)
  t.equal(blobs.length, 2, 'two workers answered')
  for (const b of blobs) t.equal(sha256(b.body), v2, 'whole')
})
