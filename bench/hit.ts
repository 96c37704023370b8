// Cache hit: a synchronized blob of 1 KiB and of 100 KiB served by a fedgate child from its own store
// (the root stopped after the sync: no upstream contact is possible), over HTTP and HTTPS, against, in
// the same run, a bare Node server answering the same bytes from memory and nginx with a warmed
// proxy_cache in front of that server. Targets: fedgate ≥ 0.9× bare Node; ≥ 1.0× nginx at 100 KiB;
// metrics on (the default) ≥ 0.97× metrics off at 1 KiB.
// Multi-core: the same child run as `fedgate start --workers 2` (its own processes, serving the store
// the in-process child synchronized) against nginx with 2 worker processes, CPU per request printed.
//
// 18 rows: the per-row duration defaults to 3 s here (not 5) so the run stays under ~4 minutes.
import { createHash, randomBytes } from 'node:crypto'
import { createReadStream, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { setTimeout as sleep } from 'node:timers/promises'
import { Agent, request } from 'undici'
import type { BenchOptions } from './lib/options.ts'
import { measureInterleaved, type Target } from './lib/rounds.ts'
import { benchDir, startBenchSite, type BenchSite } from './lib/site.ts'
import { startStaticPeer } from './lib/static-peer.ts'
import { startNginxPeer, type NginxPeer } from './lib/nginx-peer.ts'
import { startWorkersSite, type WorkersSite } from './lib/workers-site.ts'
import { resultTable, reportRatios, type Ratio, type Row } from './lib/table.ts'
import type { KeyRing } from '../plugins/hub/keys.ts'
import type { SyncStatus } from '../plugins/sync/status.ts'

const SIZES = [{ label: '1 KiB', bytes: 1024 }, { label: '100 KiB', bytes: 100 * 1024 }] as const
const REPO = 'bench/hit'

export async function run(o: BenchOptions): Promise<void> {
  const opts = { ...o, duration: process.argv.some((a) => a.startsWith('--duration')) ? o.duration : 3, warmup: Math.min(o.warmup, 1) }
  const tmp = benchDir()
  const sites: BenchSite[] = []
  let nginx: NginxPeer | undefined
  let nginx2: NginxPeer | undefined
  let workers: WorkersSite | undefined
  let bare: Awaited<ReturnType<typeof startStaticPeer>> | undefined
  let bareLogged: Awaited<ReturnType<typeof startStaticPeer>> | undefined
  const agent = new Agent({ connect: { rejectUnauthorized: false } })
  try {
    // The root publishes one blob per size; the child synchronizes them, then the root stops.
    const root = await startBenchSite(`site: { name: root, role: root }\nlisten:\n  https: { host: 127.0.0.1, port: 0 }\ntls: { dir: certs, watch: false }\nlog: { level: warn }\n`, { dir: tmp.dir, name: 'root' })
    sites.push(root)
    const keys = root.gw.service<KeyRing>('keys')!
    const readKey = (await keys.create({ name: 'child', scope: 'read' })).key
    const publishKey = (await keys.create({ name: 'bench', scope: 'publish', namespaces: ['*'] })).key
    const blobs = new Map<string, Buffer>()
    for (const s of SIZES) {
      const bytes = asciiBytes(s.bytes)
      const res = await request(`${root.httpsUrl}/api/v1/repos/${REPO}/images/${s.bytes}`, { method: 'PUT', body: bytes, headers: { authorization: `Bearer ${publishKey}` }, dispatcher: agent })
      await res.body.dump()
      if (res.statusCode !== 201) throw new Error(`publish ${s.label}: ${res.statusCode}`)
      blobs.set(blobPath(bytes), bytes)
    }
    writeFileSync(join(tmp.dir, 'root.key'), readKey, { mode: 0o600 })
    // Two children sync the same repository (each its own store); the second has its request log off, to
    // show that log's share of a small hit: the bare Node server writes no log line (nginx writes a
    // buffered access log). Its rows run for 1 KiB only, where that share shows.
    // A third has metrics off (metrics.enabled: false), to show what /metrics costs a hit: the other two
    // count every request for it, as a site does by default.
    const childYaml = (name: string, o: { requests?: boolean; metrics?: boolean } = {}) =>
      `site: { name: ${name}, role: child }\nlisten:\n  https: { host: 127.0.0.1, port: 0 }\n  http: { host: 127.0.0.1, port: 0, redirectToHttps: false }\ntls: { dir: certs, watch: false }\nlog: { level: info${o.requests === false ? ', requests: false' : ''} }\nmetrics: { enabled: ${o.metrics !== false} }\nroot:\n  url: ${root.httpsUrl}\n  key: file:./root.key\n  ca: certs/ca.crt\nrepositories: [${REPO}]\n`
    const child = await startBenchSite(childYaml('child'), { dir: tmp.dir, name: 'child' })
    sites.push(child)
    const quiet = await startBenchSite(childYaml('child-quiet', { requests: false }), { dir: tmp.dir, name: 'child-quiet' })
    sites.push(quiet)
    const unmetered = await startBenchSite(childYaml('child-unmetered', { metrics: false }), { dir: tmp.dir, name: 'child-unmetered' })
    sites.push(unmetered)
    for (const site of [child, quiet, unmetered]) {
      const status = site.gw.service<SyncStatus>('syncStatus')!
      for (let i = 0; !(status.has(REPO) && status.get(REPO).state === 'in-sync'); i++) {
        if (i > 600) throw new Error(`no sync within 60 s: ${JSON.stringify(status.has(REPO) ? status.get(REPO) : 'unknown')}`)
        await sleep(100)
      }
    }
    await root.close()
    sites.splice(sites.indexOf(root), 1)

    // The peers: the same bytes from memory, and nginx caching them, both with the child's certificate.
    const tls = { cert: join(tmp.dir, 'certs', 'child.crt'), key: join(tmp.dir, 'certs', 'child.key') }
    const tlsBytes = { cert: readFileSync(tls.cert), key: readFileSync(tls.key) }
    bare = await startStaticPeer(blobs, tlsBytes)
    // The same server writing a plain pino line per request to the same kind of destination as the
    // child's log: what a line a request costs a Node server logged the common way (1 KiB rows only).
    bareLogged = await startStaticPeer(blobs, tlsBytes, { logFile: join(tmp.dir, 'bare-logged.log') })
    nginx = await startNginxPeer({ dir: tmp.dir, originUrl: bare.httpUrl, ...tls })
    nginx2 = await startNginxPeer({ dir: tmp.dir, originUrl: bare.httpUrl, ...tls, workers: 2 })
    // The child's own YAML and store: the in-process child holds the sync lease, these workers serve.
    workers = await startWorkersSite(join(tmp.dir, 'child.yaml'), 2, join(tmp.dir, 'child-workers.log'))

    const servers = [
      { name: 'fedgate child', http: child.httpUrl!, https: child.httpsUrl },
      { name: 'fedgate child, request log off', http: quiet.httpUrl!, https: quiet.httpsUrl, only: SIZES[0].bytes },
      { name: 'fedgate child, metrics off', http: unmetered.httpUrl!, https: unmetered.httpsUrl, only: SIZES[0].bytes },
      { name: 'bare node', http: bare.httpUrl, https: bare.httpsUrl },
      { name: 'bare node, pino request line', http: bareLogged.httpUrl, https: bareLogged.httpsUrl, only: SIZES[0].bytes },
      ...(nginx ? [{ name: 'nginx proxy_cache', http: nginx.httpUrl, https: nginx.httpsUrl, cpuUs: nginx.cpuUs }] : []),
      { name: 'fedgate child, 2 workers', http: workers.httpUrl!, https: workers.httpsUrl, cpuUs: workers.cpuUs },
      ...(nginx2 ? [{ name: 'nginx proxy_cache, 2 workers', http: nginx2.httpUrl, https: nginx2.httpsUrl, cpuUs: nginx2.cpuUs }] : []),
    ]
    const targets: (Target & { check: Buffer })[] = []
    // Rows compared with each other run one after the other, so a burst of outside load hits them alike,
    // each round starting their group with the next row (rounds.ts).
    for (const s of SIZES) {
      const path = [...blobs].find(([, b]) => b.length === s.bytes)![0]
      for (const scheme of ['http', 'https'] as const) {
        for (const srv of servers) {
          if ('only' in srv && srv.only !== s.bytes) continue
          targets.push({ name: `${s.label}, ${srv.name}, ${scheme.toUpperCase()}`, load: { url: srv[scheme] + path, servername: scheme === 'https' ? 'localhost' : undefined, connections: opts.connections, duration: opts.duration }, cpuUs: 'cpuUs' in srv ? srv.cpuUs : undefined, group: `${s.label} ${scheme}`, check: blobs.get(path)! })
        }
      }
    }
    // Every row answers 200 with the right bytes, and nginx's from its cache (the warm-up).
    for (const t of targets) await expectBytes(agent, t.load.url, t.check, t.name.includes('nginx'))
    console.log(`hit bench: ${opts.connections} connections, ${opts.rounds} interleaved rounds of ${opts.duration}s per row (median kept), ${opts.warmup}s warm-up, load generator ${opts.placement === 'inline' ? 'inline' : 'in its own process'}; the root is stopped\n`)
    const rows = await measureInterleaved(targets, opts)
    const row = (name: string) => rows.find((r) => r.name === name)
    console.log('\n' + resultTable(rows) + '\n')
    const ratios: Ratio[] = []
    const add = (name: string, of: string, over: string, target?: number) => {
      const a = row(of)
      const b = row(over)
      if (a && b) ratios.push({ name, of: a, over: b, target })
    }
    for (const s of SIZES) {
      for (const scheme of ['HTTP', 'HTTPS']) {
        add(`req/s ${s.label} ${scheme}: fedgate / bare node`, `${s.label}, fedgate child, ${scheme}`, `${s.label}, bare node, ${scheme}`, 0.9)
        add(`req/s ${s.label} ${scheme}: fedgate (metrics on) / metrics off`, `${s.label}, fedgate child, ${scheme}`, `${s.label}, fedgate child, metrics off, ${scheme}`, 0.97)
        // The request log's cost (issue: within 5% of log-off).
        add(`req/s ${s.label} ${scheme}: fedgate (request log on) / request log off`, `${s.label}, fedgate child, ${scheme}`, `${s.label}, fedgate child, request log off, ${scheme}`, 0.95)
        add(`req/s ${s.label} ${scheme}: fedgate, request log off / bare node`, `${s.label}, fedgate child, request log off, ${scheme}`, `${s.label}, bare node, ${scheme}`)
        add(`req/s ${s.label} ${scheme}: bare node, pino request line / bare node`, `${s.label}, bare node, pino request line, ${scheme}`, `${s.label}, bare node, ${scheme}`)
        add(`req/s ${s.label} ${scheme}: fedgate / bare node, pino request line`, `${s.label}, fedgate child, ${scheme}`, `${s.label}, bare node, pino request line, ${scheme}`)
        add(`req/s ${s.label} ${scheme}: fedgate / nginx`, `${s.label}, fedgate child, ${scheme}`, `${s.label}, nginx proxy_cache, ${scheme}`, s.bytes >= 100 * 1024 ? 1.0 : undefined)
        add(`req/s ${s.label} ${scheme}: fedgate 2 workers / nginx 2 workers`, `${s.label}, fedgate child, 2 workers, ${scheme}`, `${s.label}, nginx proxy_cache, 2 workers, ${scheme}`)
        add(`req/s ${s.label} ${scheme}: fedgate 2 workers / fedgate 1`, `${s.label}, fedgate child, 2 workers, ${scheme}`, `${s.label}, fedgate child, ${scheme}`)
      }
    }
    reportRatios('hit', 'hit: a synchronized blob served by a fedgate child, against bare Node and nginx', `${opts.rounds} interleaved rounds of ${opts.duration} s, ${opts.connections} connections, root stopped; ${new Date().toISOString().slice(0, 10)}, 2 shared cores`, ratios)
    if (!nginx) console.log('nginx rows skipped: apt-get install -y nginx')
    // Line by line: a 10-round run logs more than the longest string V8 makes (512 MiB).
    let upstream = 0
    for await (const l of createInterface({ input: createReadStream(child.logFile), crlfDelay: Infinity })) if (l.includes('"upstream"') || l.includes('"route":"forward"')) upstream++
    console.log(`child log lines that went upstream: ${upstream}`)
    const repeats = await countedRepeats(agent, child.httpsUrl, await child.gw.service<KeyRing>('keys')!.create({ name: 'bench-metrics', scope: 'admin' }))
    console.log(`child /metrics: ${repeats} requests counted as repeats (stage="repeat")`)
    const bad = rows.filter((r: Row) => r.errors || r.non2xx)
    if (bad.length) console.log(`warning: errors or non-2xx answers in: ${bad.map((r) => r.name).join(', ')}`)
  } finally {
    await workers?.close()
    await nginx2?.close()
    await nginx?.close()
    await bare?.close()
    await bareLogged?.close()
    for (const s of sites.reverse()) await s.close()
    await agent.close()
    tmp.remove()
  }
}

// autocannon appends each body to a string (utf-8 decoding): random binary takes its slow path and
// capped every 100 KiB row near 400 req/s, whatever the server. Random ASCII keeps it off the path.
function asciiBytes(n: number): Buffer {
  return Buffer.from(randomBytes(n).toString('base64').slice(0, n))
}

function blobPath(bytes: Buffer): string {
  return `/api/v1/blobs/sha256:${createHash('sha256').update(bytes).digest('hex')}`
}

/** The child's own count of repeated answers, from its /metrics (so the bench sees the tally work). */
async function countedRepeats(agent: Agent, url: string, admin: { key: string }): Promise<number> {
  const res = await request(`${url}/metrics`, { dispatcher: agent, headers: { authorization: `Bearer ${admin.key}` } })
  const text = await res.body.text()
  const line = text.split('\n').find((l) => l.startsWith('fedgate_requests_total{stage="repeat",status_class="2xx"}'))
  return Number(line?.split(' ')[1] ?? NaN)
}

/** A row answering 404 fast would look fast; nginx is asked until its cache answers (bounded). */
async function expectBytes(agent: Agent, url: string, bytes: Buffer, cached: boolean): Promise<void> {
  for (let i = 0; i < 10; i++) {
    const res = await request(url, { dispatcher: agent, headersTimeout: 5000, bodyTimeout: 5000 })
    const got = Buffer.from(await res.body.arrayBuffer())
    if (res.statusCode !== 200 || !got.equals(bytes)) throw new Error(`${url} answered ${res.statusCode} with ${got.length} bytes, not the ${bytes.length} expected`)
    if (!cached || res.headers['x-cache-status'] === 'HIT') return
  }
  throw new Error(`${url}: nginx never answered from its cache`)
}
