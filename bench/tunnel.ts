// WebSocket tunnel: 100 connections each echoing 1 KiB messages one at a time (a closed loop), direct to
// the upstream, through fedgate's tunnel, through a raw TCP pipe (the floor of any Node relay) and through
// nginx's WebSocket proxy_pass, in interleaved rounds; messages per second, round trips, each relay's CPU
// per message. Then the gateway's RSS with 1,000 idle tunnels open. Target: tunnel ≥ 0.9× direct.
//
// Placement: the echo upstream and each relay run in their own processes (their CPU and RSS their own);
// the load runs here. Bounded: fixed connection counts, fixed durations, timeouts on connects.
import { createHistogram } from 'node:perf_hooks'
import { fileURLToPath, pathToFileURL } from 'node:url'
import WebSocket from 'ws'
import type { BenchOptions } from './lib/options.ts'
import { forkPeer } from './lib/peer-process.ts'
import type { LoadResult } from './lib/load.ts'
import { startNginxPeer } from './lib/nginx-peer.ts'
import { statCpu } from './lib/proc-stat.ts'
import { benchDir } from './lib/site.ts'
import { markdown, reportRatios, type Row } from './lib/table.ts'

const CONNECTIONS = 100
const BENCH_TOKEN = 'bench-tunnel-token-' + 'b'.repeat(24)
const MESSAGE = Buffer.alloc(1024, 0x61)
const IDLE_TUNNELS = 1000
const CONNECT_TIMEOUT = 10_000
const peers = fileURLToPath(new URL('./lib/tunnel-peers.ts', import.meta.url))

interface Peer {
  url: string
  rss(): Promise<number>
  stop(): void
  /** CPU µs its process has used so far. */
  cpuUs(): number
}

async function startPeer(args: string[]): Promise<Peer> {
  const p = await forkPeer<{ url: string }>(peers, args, { FEDGATE_BENCH_TOKEN: BENCH_TOKEN })
  const cpuUs = () => {
    const { user, system } = statCpu(`/proc/${p.child.pid}/stat`)
    return (user + system) * 1e6
  }
  return { url: p.ready.url, rss: p.rss, stop: p.stop, cpuUs }
}

function open(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers: { authorization: `Bearer ${BENCH_TOKEN}` }, perMessageDeflate: false, handshakeTimeout: CONNECT_TIMEOUT })
    ws.once('open', () => resolve(ws))
    ws.once('error', reject)
  })
}

async function openMany(url: string, n: number): Promise<WebSocket[]> {
  const out: WebSocket[] = []
  for (let i = 0; i < n; i += 50) out.push(...(await Promise.all(Array.from({ length: Math.min(50, n - i) }, () => open(url)))))
  return out
}


/** Each socket sends a message, waits for its echo, sends the next: throughput and round trips together. */
async function echoLoad(url: string, seconds: number, warmup: number): Promise<LoadResult> {
  const sockets = await openMany(url, CONNECTIONS)
  const histogram = createHistogram()
  let measuring = false
  let stopped = false
  let count = 0
  const loops = sockets.map(
    (ws) =>
      new Promise<void>((resolve) => {
        let sentAt = 0n
        const next = () => {
          if (stopped) return resolve()
          sentAt = process.hrtime.bigint()
          ws.send(MESSAGE)
        }
        ws.on('message', () => {
          if (measuring) {
            histogram.record(Number(process.hrtime.bigint() - sentAt) || 1)
            count++
          }
          next()
        })
        ws.once('close', () => resolve())
        next()
      }),
  )
  await new Promise((r) => setTimeout(r, warmup * 1000))
  measuring = true
  const started = process.hrtime.bigint()
  await new Promise((r) => setTimeout(r, seconds * 1000))
  measuring = false
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9
  stopped = true
  await Promise.race([Promise.all(loops), new Promise((r) => setTimeout(r, 5000))])
  for (const ws of sockets) ws.terminate()
  return { rps: count / elapsed, requests: count, p50: histogram.percentile(50) / 1e6, p99: histogram.percentile(99) / 1e6, errors: 0, non2xx: 0 }
}

export async function run(o: BenchOptions): Promise<void> {
  const echo = await startPeer(['echo'])
  const gateway = await startPeer(['gateway', echo.url])
  const pipe = await startPeer(['pipe', echo.url])
  const { dir, remove } = benchDir()
  const nginx = await startNginxPeer({ dir, originUrl: echo.url.replace('ws:', 'http:'), websocket: true })
  try {
    const targets: { name: string; url: string; cpuUs: () => number }[] = [
      { name: 'direct to the upstream (ws)', url: echo.url, cpuUs: () => 0 },
      { name: 'through the fedgate tunnel', url: gateway.url, cpuUs: gateway.cpuUs },
      { name: 'raw TCP pipe (node:net, pipe both ways)', url: pipe.url.replace(/\/?$/, '/federation'), cpuUs: pipe.cpuUs },
      ...(nginx ? [{ name: 'nginx proxy_pass, WebSocket upgrade', url: nginx.httpUrl.replace('http:', 'ws:') + '/federation', cpuUs: nginx.cpuUs }] : []),
    ]
    console.log(`tunnel bench: ${CONNECTIONS} connections echoing ${MESSAGE.length} B messages, ${o.rounds} interleaved rounds of ${o.duration}s per row (median kept), ${o.warmup}s warm-up; upstream and relays in their own processes, the load in this one\n`)
    const runs = new Map<string, Row[]>(targets.map((t) => [t.name, []]))
    for (let round = 0; round < o.rounds; round++) {
      // Each round starts one row later, so a burst of outside load does not always hit the same row.
      for (const t of [...targets.slice(round % targets.length), ...targets.slice(0, round % targets.length)]) {
        const cpu0 = t.cpuUs()
        const r = await echoLoad(t.url, o.duration, round === 0 ? o.warmup : 0)
        const cpuUs = (t.cpuUs() - cpu0) / r.requests
        runs.get(t.name)!.push({ name: t.name, ...r, cpuUs: cpuUs || undefined })
        console.log(`  round ${round + 1}/${o.rounds}  ${t.name}: ${Math.round(r.rps)} msg/s${cpuUs ? `, relay ${cpuUs.toFixed(1)} µs CPU/msg` : ''}`)
      }
    }
    const rows = targets.map((t) => medianRow(runs.get(t.name)!))
    const [direct, tunnel, raw, viaNginx] = rows as [Row, Row, Row, Row | undefined]
    const rssBefore = await gateway.rss()
    const idle = await openMany(gateway.url, IDLE_TUNNELS)
    const rssIdle = await gateway.rss()
    for (const ws of idle) ws.terminate()

    const mb = (n: number) => (n / 1024 / 1024).toFixed(1)
    console.log('\n' + markdown(['setup', 'msg/s', 'p50 ms', 'p99 ms', 'relay CPU µs/msg'], rows.map((r) => [r.name, Math.round(r.rps).toLocaleString('en-US'), r.p50.toFixed(2), r.p99.toFixed(2), r.cpuUs === undefined ? '–' : r.cpuUs.toFixed(1)])) + '\n')
    // A relay's CPU per message is all its own (its process), so the base to remove is nothing.
    const none: Row = { ...direct, cpuUs: 0 }
    reportRatios('tunnel', 'tunnel: WebSocket echo through fedgate against direct, a raw pipe and nginx', `${CONNECTIONS} connections, ${MESSAGE.length} B messages, ${o.rounds} rounds of ${o.duration} s; ${new Date().toISOString().slice(0, 10)}`, [
      { name: 'msg/s: fedgate tunnel / direct', of: tunnel, over: direct, target: 0.9 },
      { name: 'msg/s: fedgate tunnel / raw TCP pipe', of: tunnel, over: raw },
      ...(viaNginx ? [{ name: 'msg/s: fedgate tunnel / nginx', of: tunnel, over: viaNginx }] : []),
      { name: 'msg/s: raw TCP pipe / direct', of: raw, over: direct },
      ...(viaNginx ? [{ name: 'msg/s: nginx / direct', of: viaNginx, over: direct }] : []),
      { name: 'relay CPU/msg: raw pipe / fedgate', of: tunnel, over: raw, cpu: { base: none } },
      ...(viaNginx ? [{ name: 'relay CPU/msg: nginx / fedgate', of: tunnel, over: viaNginx, cpu: { base: none } }] : []),
    ])
    if (!nginx) console.log('nginx row skipped: apt-get install -y nginx')
    // From the sources through the tsx loader; the compiled gateway's figures are the startup bench's.
    console.log(`gateway RSS (from sources, tsx loader): ${mb(rssBefore)} MB with no tunnel open, ${mb(rssIdle)} MB with ${IDLE_TUNNELS.toLocaleString('en-US')} idle tunnels (${((rssIdle - rssBefore) / IDLE_TUNNELS / 1024).toFixed(1)} KB each)\n`)
  } finally {
    await nginx?.close()
    pipe.stop()
    gateway.stop()
    echo.stop()
    remove()
  }
}

/** The run with the median msg/s, its relay CPU the median of the runs', every round's msg/s kept for paired ratios. */
function medianRow(rows: Row[]): Row {
  const mid = <T>(xs: T[]) => xs[Math.floor((xs.length - 1) / 2)]!
  const cpus = rows.flatMap((r) => (r.cpuUs === undefined ? [] : [r.cpuUs])).sort((a, b) => a - b)
  return { ...mid([...rows].sort((a, b) => a.rps - b.rps)), cpuUs: cpus.length ? mid(cpus) : undefined, roundRps: rows.map((r) => r.rps) }
}

// Runnable on its own too: `node --import tsx bench/tunnel.ts`.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { parseBenchArgs } = await import('./lib/options.ts')
  run(parseBenchArgs(['tunnel', ...process.argv.slice(2)]).options).then(
    () => process.exit(0),
    (err: Error) => {
      console.error(err.stack ?? String(err))
      process.exit(1)
    },
  )
}
