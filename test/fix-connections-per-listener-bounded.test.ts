// A listener used to accept every connection it was offered: enough idle or slow clients used up the
// process's descriptors. Each listener now holds at most limits.maxConnections; one more is closed as it
// arrives, and its place is free again once a held connection goes.
import t from 'tap'
import net from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { fetchText, startSite, tempDir } from './helpers/sites.ts'
import { waitFor } from './helpers/sync.ts'
import { siteFds } from './helpers/fds.ts'

const BOUND = 20
const PER_LISTENER = 100

t.test('each listener holds at most limits.maxConnections; more are closed as they arrive', async (t) => {
  const yaml = `site: { name: lima, role: root }
listen:
  https: { host: 127.0.0.1, port: 0 }
  http: { host: 127.0.0.1, port: 0 }
tls: { dir: certs }
limits: { maxConnections: ${BOUND}, headersTimeout: 60s }
`
  const site = await startSite(t, yaml, { dir: tempDir(t) })
  const ports = [site.gw.httpsPort, site.gw.httpPort!]
  const before = siteFds({ ports }).sockets

  // Connections that send nothing: each would be held for the TLS handshake or head timeout (60 s).
  const sockets: net.Socket[] = []
  let closed = 0
  for (const port of ports) {
    for (let i = 0; i < PER_LISTENER; i++) {
      const s = net.connect(port, '127.0.0.1')
      t.teardown(() => s.destroy())
      s.on('error', () => {})
      s.once('close', () => closed++)
      sockets.push(s)
    }
  }
  const over = ports.length * (PER_LISTENER - BOUND)
  await waitFor('the connections over the bound to be closed', () => closed >= over, 20_000)
  await sleep(300) // a moment in which a wrong extra close would show
  t.equal(closed, over, `${over} closed, ${BOUND} held on each listener`)
  const held = siteFds({ ports }).sockets - before
  t.ok(held <= ports.length * BOUND, `the site holds ${held} sockets for them, at most ${ports.length * BOUND}`)
  const [warn] = await site.logs.waitFor((l) => l.msg === 'connection refused: the listener holds limits.maxConnections connections')
  t.equal(warn?.maxConnections, BOUND, 'the refusals are logged with the bound')

  t.equal(await fetchText(site, '/health').catch(() => 'closed'), 'closed', 'a normal client is turned away while the listener is full')

  // One held connection goes: a normal client then gets in, on a freed place.
  for (const s of sockets.filter((s) => !s.destroyed && s.remotePort === site.gw.httpsPort).slice(0, 2)) s.destroy()
  let res = await fetchText(site, '/health').catch(() => undefined)
  for (let i = 0; i < 20 && res?.status !== 200; i++) {
    await sleep(50)
    res = await fetchText(site, '/health').catch(() => undefined)
  }
  t.equal(res?.status, 200, 'a normal client is answered once a place is free')
})
