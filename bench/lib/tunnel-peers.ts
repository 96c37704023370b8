// The processes the tunnel bench measures, each in its own process so its CPU and RSS are its own:
// `echo` (a ws echo server, the upstream), `gateway` (a fedgate site with one tunnel to it) and `pipe`
// (a raw TCP relay, node:net sockets piped both ways: the least any Node relay does per byte).
// Run as `node --import tsx bench/lib/tunnel-peers.ts <echo|gateway|pipe> [upstream-url]` (the token in
// FEDGATE_BENCH_TOKEN); reports over IPC. Not imported: its top level starts the peer.
import { writeFileSync } from 'node:fs'
import net from 'node:net'
import { join } from 'node:path'
import { WebSocketServer } from 'ws'
import { benchDir, startBenchSite } from './site.ts'

type Reply = { ready: { url: string } } | { rss: number }
const reply = (m: Reply) => process.send!(m)

async function echo(): Promise<void> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false, clientTracking: false })
  wss.on('connection', (ws) => {
    ws.on('error', () => {})
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }))
  })
  await new Promise((r) => wss.once('listening', r))
  const { port } = wss.address() as { port: number }
  reply({ ready: { url: `ws://127.0.0.1:${port}` } })
}

async function gateway(upstream: string): Promise<void> {
  const { dir } = benchDir()
  writeFileSync(join(dir, 'tokens.txt'), process.env.FEDGATE_BENCH_TOKEN + '\n', { mode: 0o600 })
  // Plain ws on the gateway's HTTP listener, so the comparison with a direct ws:// connection is like for like.
  const site = await startBenchSite(
    `site: { name: bench, role: root }
listen:
  https: { host: 127.0.0.1, port: 0 }
  http: { host: 127.0.0.1, port: 0, redirectToHttps: false }
tls: { dir: certs, watch: false }
log: { level: warn }
tunnels:
  - path: /federation
    upstream: ${upstream}
    tokens: file:./tokens.txt
    maxConnections: 5000
`,
    { dir },
  )
  reply({ ready: { url: site.httpUrl!.replace('http:', 'ws:') + '/federation' } })
}

async function pipe(upstream: string): Promise<void> {
  const { hostname, port } = new URL(upstream)
  const server = net.createServer((client) => {
    const up = net.connect(Number(port), hostname)
    client.pipe(up).pipe(client)
    const end = () => (client.destroy(), up.destroy())
    client.on('error', end).on('close', end)
    up.on('error', end).on('close', end)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  reply({ ready: { url: `ws://127.0.0.1:${(server.address() as net.AddressInfo).port}` } })
}

process.on('message', (m: { rss?: true }) => {
  if (m.rss) {
    globalThis.gc?.()
    reply({ rss: process.memoryUsage().rss })
  }
})
process.on('disconnect', () => process.exit(0))
const [role, arg] = process.argv.slice(2)
;(role === 'echo' ? echo() : role === 'pipe' ? pipe(arg!) : gateway(arg!)).catch((err) => {
  console.error(err)
  process.exit(1)
})
