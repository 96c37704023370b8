// WebSocket tunnel: 100 connections each echoing 1 KiB messages one at a time (a closed loop), direct to
// the upstream and through fedgate's tunnel; messages per second and p99 round trip. Then the gateway's
// RSS with 1,000 idle tunnels open. Targets: tunnel ≥ 0.9× direct; RSS < 150 MB.
//
// Placement: the echo upstream and the gateway run in their own processes (the gateway's RSS is then
// its own); the load runs here. Bounded: fixed connection counts, fixed durations, timeouts on connects.
import { barChart, writeChart } from './lib/chart.ts'
import { createHistogram } from 'node:perf_hooks'
import { fileURLToPath, pathToFileURL } from 'node:url'
import WebSocket from 'ws'
import type { BenchOptions } from './lib/options.ts'
import { forkPeer } from './lib/peer-process.ts'

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
}

async function startPeer(args: string[]): Promise<Peer> {
  const p = await forkPeer<{ url: string }>(peers, args, { FEDGATE_BENCH_TOKEN: BENCH_TOKEN })
  return { url: p.ready.url, rss: p.rss, stop: p.stop }
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

interface EchoResult {
  name: string
  messagesPerSecond: number
  p50: number
  p99: number
}

/** Each socket sends a message, waits for its echo, sends the next: throughput and round trips together. */
async function echoLoad(name: string, url: string, seconds: number, warmup: number): Promise<EchoResult> {
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
  return { name, messagesPerSecond: count / elapsed, p50: histogram.percentile(50) / 1e6, p99: histogram.percentile(99) / 1e6 }
}

export async function run(o: BenchOptions): Promise<void> {
  const echo = await startPeer(['echo'])
  const gateway = await startPeer(['gateway', echo.url])
  try {
    console.log(`tunnel bench: ${CONNECTIONS} connections echoing ${MESSAGE.length} B messages, ${o.warmup}s warm-up + ${o.duration}s per row; gateway and upstream in their own processes\n`)
    const rows: EchoResult[] = []
    for (const [name, url] of [
      ['direct to the upstream (ws)', echo.url],
      ['through the fedgate tunnel (ws)', gateway.url],
    ] as const) {
      const r = await echoLoad(name, url, o.duration, o.warmup)
      rows.push(r)
      console.log(`  ${name}: ${Math.round(r.messagesPerSecond)} msg/s`)
    }
    const [direct, tunnel] = rows as [EchoResult, EchoResult]
    const rssBefore = await gateway.rss()
    const idle = await openMany(gateway.url, IDLE_TUNNELS)
    const rssIdle = await gateway.rss()
    for (const ws of idle) ws.terminate()

    const ratio = tunnel.messagesPerSecond / direct.messagesPerSecond
    const mb = (n: number) => (n / 1024 / 1024).toFixed(1)
    console.log('\n| setup | msg/s | p50 ms | p99 ms |\n| --- | ---: | ---: | ---: |')
    for (const r of rows) console.log(`| ${r.name} | ${Math.round(r.messagesPerSecond).toLocaleString('en-US')} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} |`)
    console.log(`\n| measure | value | target | |\n| --- | ---: | ---: | --- |`)
    console.log(`| tunnel / direct (msg/s) | ${ratio.toFixed(2)}× | ≥ 0.9× | ${ratio >= 0.9 ? 'met' : 'missed'} |`)
    console.log(`| gateway RSS, no tunnels open | ${mb(rssBefore)} MB | – | |`)
    console.log(`| gateway RSS, ${IDLE_TUNNELS.toLocaleString('en-US')} idle tunnels | ${mb(rssIdle)} MB | < 150 MB | ${rssIdle < 150 * 1024 * 1024 ? 'met' : 'missed'} |\n`)
    writeChart('tunnel', barChart('tunnel: WebSocket echo through fedgate against direct', `${CONNECTIONS} connections, ${MESSAGE.length} B messages, ${o.duration} s; RSS as the 150 MB target over the measure; ${new Date().toISOString().slice(0, 10)}`, [
      { label: 'msg/s: tunnel / direct', value: ratio, target: 0.8 },
      { label: `RSS with ${IDLE_TUNNELS} idle tunnels: 150 MB / measured`, value: (150 * 1024 * 1024) / rssIdle, target: 1 },
    ]))
  } finally {
    gateway.stop()
    echo.stop()
  }
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
