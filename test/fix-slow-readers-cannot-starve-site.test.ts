// 200 clients that ask for large answers and never read them used to hold their sockets, the files their
// blobs stream from and every connection of the forward pool for ever: later forwarded requests waited
// in a queue with no deadline while the root was up. Answers that make no progress are now cut after
// limits.sendTimeout (driven here by the fake clock), which frees their files and upstream connections;
// a queued request leaves at forward.timeouts.queue. A normal client is then answered, forwarded and
// local, and the site holds no more descriptors than before the flood.
import t from 'tap'
import tls from 'node:tls'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { request } from 'undici'
import { tempDir, type TestLike, type TestSite } from './helpers/sites.ts'
import { startRoot, startChild, publish, inSync, blobBytes, sha256, waitFor } from './helpers/sync.ts'
import { siteFds } from './helpers/fds.ts'

const SLOW = 200
const SIZE = 12 * 1024 * 1024 // well past what the kernel's socket buffers and the streams' own hold
const SEND_TIMEOUT = 5000
const POOL = 4

/** Asks for `path` over its own TLS connection, takes the answer's first bytes, then never reads again. */
function slowReader(t: TestLike, site: TestSite, path: string, started: () => void): void {
  const socket = tls.connect({ host: '127.0.0.1', port: site.gw.httpsPort, ca: site.ca, servername: 'localhost' })
  t.teardown(() => socket.destroy())
  socket.on('error', () => {})
  socket.once('secureConnect', () => socket.write(`GET ${path} HTTP/1.1\r\nhost: localhost\r\n\r\n`))
  socket.once('data', () => {
    socket.pause()
    started()
  })
}

t.test('clients that never read cannot starve a site of connections, files or its forward pool', async (t) => {
  const dir = tempDir(t)
  const root = await startRoot(t, dir)
  const local = blobBytes(SIZE, 1)
  const remote = blobBytes(SIZE, 2)
  const localId = await publish(root, 'acme/local:1', local)
  const remoteId = await publish(root, 'acme/remote:1', remote)
  const extra = `repositories: [acme/local]
limits: { sendTimeout: ${SEND_TIMEOUT}ms, keepAliveTimeout: 1s }
forward: { connections: ${POOL}, timeouts: { queue: 20s } }
`
  const child = await startChild(t, dir, 'branch', root.url, root.readKey, extra, t.clock)
  await inSync(child, 'acme/local')
  const localPath = `/api/v1/blobs/sha256:${localId}`
  const remotePath = `/api/v1/blobs/sha256:${remoteId}`
  const fds = () => siteFds({ ports: [child.gw.httpsPort], upstreamPorts: [root.gw.httpsPort], dir: join(dir, '.fedgate', 'branch') })
  const before = fds()

  let started = 0
  for (let i = 0; i < SLOW; i++) slowReader(t, child, i % 2 === 0 ? localPath : remotePath, () => started++)
  // Every local reader has its answer streaming, and every pooled connection carries a forwarded one.
  await waitFor('the local readers and a full forward pool', () => started >= SLOW / 2 + POOL, 60_000)
  const during = fds()
  t.ok(during.files >= SLOW / 2, `the flood holds files open (${during.files})`)

  // Fake time passes; real time lets the freed pool take the next queued readers, which stall in turn
  // until cut, or wait out their queue deadline. Bounded in rounds.
  // Besides what it held before, the site may keep its idle pooled connections to the root.
  const settled = (n: ReturnType<typeof fds>) => n.files <= before.files && n.sockets <= before.sockets + POOL + 2
  let after = fds()
  for (let round = 0; round < 40 && !settled(after); round++) {
    t.clock.advance(SEND_TIMEOUT + 2000)
    await sleep(250)
    after = fds()
  }
  t.ok(settled(after), `the site holds no more than before the flood: every file closed, no connection kept (${JSON.stringify(before)} → ${JSON.stringify(during)} → ${JSON.stringify(after)})`)

  for (const [path, bytes] of [
    [remotePath, remote],
    [localPath, local],
  ] as const) {
    const res = await request(child.url + path, { dispatcher: child.agent, signal: AbortSignal.timeout(30_000) })
    const body = Buffer.from(await res.body.arrayBuffer())
    t.equal(res.statusCode, 200, `a normal client gets ${path === localPath ? 'the local' : 'the forwarded'} blob`)
    t.equal(sha256(body), sha256(bytes), 'whole')
  }
  t.equal(child.gw.rootHealth!.state, 'up', 'cutting slow readers says nothing against the root')

  const cut = await child.logs.waitFor((l) => l.msg === 'request' && l.error === 'GW_ERR_SEND_TIMEOUT', 2)
  t.ok(cut.some((l) => l.path === localPath && l.status === 200), 'a cut local answer is logged with the status the client got and the code')
  t.ok(cut.some((l) => l.path === remotePath && l.status === 200 && l.route === 'forward'), 'so is a cut forwarded one')
})
