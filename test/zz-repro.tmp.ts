// Self-contained repro (node --import tsx scratch/repro-pipelined-leak.ts): a client pipelines GETs on
// one connection, reads nothing, and leaves. Responses queued behind the first never get 'close'
// (Node emits it only for the response on the socket; queued ones only see req 'close'), so:
//  - child: each queued forwarded GET keeps one of forward.connections (128) and requests.inFlight forever;
//    ~130 such requests and every forwarded request gets 503 GW_ERR_FORWARD_BUSY until restart;
//  - root: each queued blob GET keeps the blob file open forever (fd leak).
import tls from 'node:tls'
import { readdirSync, readlinkSync } from 'node:fs'
import { request } from 'undici'
import { tempDir } from './helpers/sites.ts'
import { startRoot, startChild, publish, blobBytes, inSync } from './helpers/sync.ts'
import { adminKeyOf } from './helpers/hub.ts'

const teardowns: (() => unknown)[] = []
const t = { teardown: (fn: () => unknown) => void teardowns.unshift(fn) }
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
try {
  const dir = tempDir(t)
  const root = await startRoot(t, dir)
  const id = await publish(root, 'big/blob:1', blobBytes(1_000_000, 7))
  await publish(root, 'demo/hello:1', blobBytes(1000, 1))
  const child = await startChild(t, dir, 'branch', root.url, root.readKey, 'repositories: [demo/hello]\n')
  await inSync(child, 'demo/hello')
  const admin = await adminKeyOf(child)
  const health = async () => {
    const r = await request(`${child.url}/health`, { headers: { authorization: `Bearer ${admin}` }, dispatcher: child.agent })
    const j = (await r.body.json()) as any
    return `inFlight=${j.requests.inFlight} forward.busy=${j.forward.connections.busy}`
  }
  const blobFds = () => readdirSync('/proc/self/fd').filter((f) => { try { return readlinkSync(`/proc/self/fd/${f}`).includes(id) } catch { return false } }).length
  const pipelineAndLeave = async (port: number, n: number, extra = '') => {
    const s = tls.connect({ host: '127.0.0.1', port, ca: child.ca, servername: 'localhost' })
    s.on('error', () => {})
    await new Promise((r) => s.once('secureConnect', r))
    s.write(`GET /api/v1/blobs/sha256:${id} HTTP/1.1\r\nHost: localhost\r\n${extra}\r\n`.repeat(n))
    s.pause()
    await sleep(1500)
    s.destroy()
    await sleep(1500)
  }
  console.log('child before:', await health())
  await pipelineAndLeave(child.gw.httpsPort, 140)
  console.log('child after a client pipelined 140 forwarded GETs and left:', await health())
  await sleep(12_000)
  console.log('child 12 s later:', await health())
  const t0 = Date.now()
  const r = await request(`${child.url}/api/v1/repos/big/blob`, { dispatcher: child.agent })
  console.log(`a normal forwarded GET now: ${r.statusCode} after ${Date.now() - t0} ms: ${(await r.body.text()).slice(0, 90)}`)
  console.log('root fds on the blob file before:', blobFds())
  await pipelineAndLeave(root.gw.httpsPort, 30, `Authorization: Bearer ${root.readKey}\r\n`)
  await sleep(3000)
  console.log('root fds on the blob file after a client pipelined 30 blob GETs and left:', blobFds())
} finally {
  for (const fn of teardowns) await Promise.race([fn(), sleep(15_000)])
  process.exit(0)
}
