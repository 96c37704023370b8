// Lag: how long a publish at a root takes to be served at a child and at a grandchild (root → child →
// grandchild, each its own process), with the change stream on and, in the same run, off (polling at
// the default sync.interval, 60 s, as ProGet). N publishes of 1 KiB, one a second (FEDGATE_BENCH_LAG_N,
// default 100); "served" is the first 200 of the new tag's image at the site, seen by one poller per
// site asking every 5 ms. Then the root's RSS with 1,000 idle subscribers (plain WebSocket clients on
// its stream) and the time for one announcement to reach all of them.
// Targets: child p50 < 300 ms, p99 < 1 s; grandchild p99 < 2 s; 1,000 subscribers told within 1 s.
// Bounded: N publishes, each waited for at most 200 s; fixed subscriber count; timeouts on connects.
import { barChart, writeChart } from './lib/chart.ts'
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { Agent, request } from 'undici'
import WebSocket from 'ws'
import type { BenchOptions } from './lib/options.ts'
import { forkPeer, type PeerProcess } from './lib/peer-process.ts'
import { markdown } from './lib/table.ts'
import type { LagPeerReady } from './lib/lag-peers.ts'

const N = Number(process.env.FEDGATE_BENCH_LAG_N ?? 100)
const GAP_MS = 1000
const POLL_MS = 5
const WAIT_MS = 200_000
const SUBSCRIBERS = 1000
const ANNOUNCEMENTS = 5
const peers = fileURLToPath(new URL('./lib/lag-peers.ts', import.meta.url))

type Peer = PeerProcess<LagPeerReady>

export async function run(_o: BenchOptions): Promise<void> {
  const rows: string[][] = []
  for (const stream of [true, false]) {
    const label = stream ? 'stream' : 'polling (sync.interval 60 s)'
    console.log(`${label}: ${N} publishes, one a second…`)
    const { child, grandchild } = await measureChain(stream)
    rows.push([label, 'child', ...summary(child)])
    rows.push([label, 'grandchild', ...summary(grandchild)])
  }
  console.log('\npublish → served (first 200 of the new tag at the site)\n')
  console.log(markdown(['replication', 'site', 'p50 ms', 'p99 ms', 'max ms', 'arrived'], rows))
  const [sc, gc, pc, pg] = [rows[0]!, rows[1]!, rows[2]!, rows[3]!]
  console.log(`\nstream vs polling, p50: child ${ratio(pc[2]!, sc[2]!)}× faster, grandchild ${ratio(pg[2]!, gc[2]!)}× faster`)
  console.log(`targets: child p50 < 300 ms (${Number(sc[2]) < 300 ? 'met' : 'missed'}), child p99 < 1 s (${Number(sc[3]) < 1000 ? 'met' : 'missed'}), grandchild p99 < 2 s (${Number(gc[3]) < 2000 ? 'met' : 'missed'})\n`)
  const worst = await measureSubscribers()
  // Times as target over measured (and polling over stream), so that higher is better as in every chart.
  const over = (target: number, ms: string | undefined) => target / Math.max(1, Number(ms))
  writeChart('lag', barChart('lag: publish → served, change stream against polling', `times drawn as the target over the time measured; ${N} publishes; ${new Date().toISOString().slice(0, 10)}`, [
    { label: 'child p50: 300 ms / measured', value: over(300, sc[2]), target: 1 },
    { label: 'child p99: 1 s / measured', value: over(1000, sc[3]), target: 1 },
    { label: 'grandchild p99: 2 s / measured', value: over(2000, gc[3]), target: 1 },
    { label: 'child p50: polling / stream', value: Number(pc[2]) / Math.max(1, Number(sc[2])) },
    ...(worst === undefined ? [] : [{ label: 'announcement to all subscribers: 1 s / worst', value: over(1000, String(worst)), target: 1 }]),
  ]))
}

/** Publishes N tags at a root and times each one's arrival at a child and a grandchild. */
async function measureChain(stream: boolean): Promise<{ child: number[]; grandchild: number[] }> {
  const started: Peer[] = []
  try {
    const root = await forkPeer<LagPeerReady>(peers, ['root'])
    started.push(root)
    const onOff = stream ? 'on' : 'off'
    const child = await forkPeer<LagPeerReady>(peers, ['child', root.ready.url, root.ready.readKey, root.ready.ca, onOff], { FEDGATE_BENCH_NAME: 'child' })
    started.push(child)
    const grandchild = await forkPeer<LagPeerReady>(peers, ['child', child.ready.url, child.ready.readKey, child.ready.ca, onOff], { FEDGATE_BENCH_NAME: 'grandchild' })
    started.push(grandchild)
    const publisher = agentFor(root.ready.ca)
    // The repository exists before the clock starts: both sites hold it, so every tag after is an update.
    await publish(root.ready, publisher, 'warm')
    const watch = [new Poller(child.ready), new Poller(grandchild.ready)]
    await Promise.all(watch.map((w) => w.arrival('warm', Date.now())))
    const arrivals: Promise<number>[][] = [[], []]
    for (let i = 0; i < N; i++) {
      const t0 = Date.now()
      await publish(root.ready, publisher, `t${i}`)
      const committed = Date.now()
      watch.forEach((w, k) => arrivals[k]!.push(w.arrival(`t${i}`, committed)))
      await sleep(Math.max(0, GAP_MS - (Date.now() - t0)))
    }
    const [c, g] = await Promise.all(arrivals.map((a) => Promise.all(a)))
    for (const w of watch) w.stop()
    await publisher.close()
    return { child: c!, grandchild: g! }
  } finally {
    for (const p of started) p.stop()
  }
}

/** One poller per site: asks for the repository every POLL_MS and settles each awaited tag as it appears. */
class Poller {
  readonly #agent: Agent
  readonly #waiting = new Map<string, { since: number; resolve: (ms: number) => void }>()
  #running = true
  constructor(private readonly site: LagPeerReady) {
    this.#agent = agentFor(site.ca)
    void this.#loop()
  }

  /** Resolves with the ms from `since` to the first answer holding `tag` (Infinity past WAIT_MS). */
  arrival(tag: string, since: number): Promise<number> {
    return new Promise((resolve) => this.#waiting.set(tag, { since, resolve }))
  }

  async #loop(): Promise<void> {
    while (this.#running) {
      if (this.#waiting.size > 0) {
        const res = await request(`${this.site.url}/api/v1/repos/bench/app`, { dispatcher: this.#agent }).catch(() => undefined)
        const now = Date.now()
        const tags = res?.statusCode === 200 ? ((await res.body.json()) as { tags: Record<string, string> }).tags : (await res?.body.dump(), {})
        for (const [tag, w] of this.#waiting) {
          if (tag in tags) w.resolve(now - w.since)
          else if (now - w.since > WAIT_MS) w.resolve(Infinity)
          else continue
          this.#waiting.delete(tag)
        }
      }
      await sleep(POLL_MS)
    }
  }

  stop(): void {
    this.#running = false
    void this.#agent.close()
  }
}

/** The root's RSS with 1,000 idle subscribers, and how long one announcement takes to reach them all. */
async function measureSubscribers(): Promise<number | undefined> {
  const root = await forkPeer<LagPeerReady>(peers, ['root'])
  const subs: WebSocket[] = []
  try {
    const rssBefore = await root.rss()
    const ca = readFileSync(root.ready.ca)
    for (let i = 0; i < SUBSCRIBERS; i += 50) subs.push(...(await Promise.all(Array.from({ length: Math.min(50, SUBSCRIBERS - i) }, () => subscribe(root.ready, ca)))))
    const rssIdle = await root.rss()
    const publisher = agentFor(root.ready.ca)
    const times: number[] = []
    for (let i = 0; i < ANNOUNCEMENTS; i++) {
      const tag = `a${i}`
      const heard = subs.map((ws) => new Promise<number>((resolve) => {
        const onMessage = (data: WebSocket.RawData) => {
          const m = JSON.parse(String(data)) as { type: string; repo?: string }
          if (m.type !== 'commit') return
          ws.off('message', onMessage)
          resolve(Date.now())
        }
        ws.on('message', onMessage)
      }))
      const t0 = Date.now()
      await publish(root.ready, publisher, tag)
      const committed = Date.now()
      const last = Math.max(...(await Promise.race([Promise.all(heard), sleep(30_000).then(() => [Infinity])])))
      times.push(last - committed)
      console.log(`announcement ${i + 1}: publish took ${committed - t0} ms, the last of ${SUBSCRIBERS} subscribers told ${last - committed} ms after its 201`)
      await sleep(200)
    }
    await publisher.close()
    const worst = Math.max(...times)
    console.log('\n' + markdown(['upstream', 'value', 'target'], [
      ['root RSS, no subscribers', `${mb(rssBefore)} MB`, '–'],
      [`root RSS, ${SUBSCRIBERS.toLocaleString('en-US')} idle subscribers`, `${mb(rssIdle)} MB (${((rssIdle - rssBefore) / SUBSCRIBERS / 1024).toFixed(1)} KiB each)`, '–'],
      [`one announcement to all ${SUBSCRIBERS.toLocaleString('en-US')}, worst of ${ANNOUNCEMENTS} (after the publish's 201)`, `${worst} ms`, `< 1,000 ms: ${worst < 1000 ? 'met' : 'missed'}`],
    ]))
    return worst
  } finally {
    for (const ws of subs) ws.terminate()
    root.stop()
  }
}

function subscribe(site: LagPeerReady, ca: Buffer): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${site.url.replace('https:', 'wss:')}/api/v1/federation/stream`, { headers: { authorization: `Bearer ${site.readKey}` }, ca, perMessageDeflate: false, handshakeTimeout: 10_000 })
    ws.once('message', () => resolve(ws)) // the hello
    ws.once('error', reject)
  })
}

async function publish(root: LagPeerReady, agent: Agent, tag: string): Promise<void> {
  const res = await request(`${root.url}/api/v1/repos/bench/app/images/${tag}`, { method: 'PUT', body: randomBytes(1024), headers: { authorization: `Bearer ${root.publishKey}` }, dispatcher: agent })
  await res.body.dump()
  if (res.statusCode !== 201) throw new Error(`publish ${tag}: ${res.statusCode}`)
}

function agentFor(caFile: string): Agent {
  return new Agent({ connect: { ca: readFileSync(caFile, 'utf8') } })
}

function summary(ms: number[]): string[] {
  const arrived = ms.filter(Number.isFinite).sort((a, b) => a - b)
  const q = (p: number) => (arrived.length ? String(arrived[Math.min(arrived.length - 1, Math.floor(p * arrived.length))]) : '–')
  return [q(0.5), q(0.99), arrived.length ? String(arrived.at(-1)) : '–', `${arrived.length}/${ms.length}`]
}

function ratio(slow: string, fast: string): string {
  const r = Number(slow) / Math.max(1, Number(fast))
  return Number.isFinite(r) ? r.toFixed(0) : '–'
}

const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1)
