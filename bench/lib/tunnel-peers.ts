// The processes the tunnel bench measures, each in its own process so its CPU and RSS are its own:
// `echo` (a ws echo server, the upstream) and `gateway` (a fedgate site with one tunnel to it).
// Run as `node --import tsx bench/lib/tunnel-peers.ts <echo|gateway> [upstream-url]` (the token in
// FEDGATE_BENCH_TOKEN); reports over IPC. Not imported: its top level starts the peer.
import { writeFileSync } from 'node:fs'
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

process.on('message', (m: { rss?: true }) => {
  if (m.rss) {
    globalThis.gc?.()
    reply({ rss: process.memoryUsage().rss })
  }
})
process.on('disconnect', () => process.exit(0))
const [role, arg] = process.argv.slice(2)
;(role === 'echo' ? echo() : gateway(arg!)).catch((err) => {
  console.error(err)
  process.exit(1)
})
