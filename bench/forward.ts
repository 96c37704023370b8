// Forwarding throughput, all rows in one run against the same loopback origin (a 1 KiB JSON answer):
// direct to the origin, fedgate's forward path over HTTP and HTTPS, a bare http-proxy-3 with a
// keep-alive agent, and nginx proxy_pass with upstream keep-alive (the proxy users would pick; its own
// process, one worker) with, beside it, the same fedgate site in its own process too. Targets: fedgate-http ≥ 1.5× http-proxy-3; HTTPS costs ≤ 25% (ratio ≥ 0.75);
// fedgate-http ≥ 0.8× nginx and ≥ 0.5× direct.
//
// Placement: the origin and every proxy run in this process, autocannon in a child process: on 2 cores,
// one core for the load and one for the servers. Measured both ways: with autocannon inline the rows
// swung 3× between runs (the load generator and the proxy took turns on one event loop), so it is
// only an option (--inline). The servers' CPU µs per request is printed too: on a shared machine it
// moves less than req/s, and minus the direct row it is each proxy's own cost (docs/benchmarks.md).
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Agent, request } from 'undici'
import type { BenchOptions } from './lib/options.ts'
import { measureInterleaved } from './lib/rounds.ts'
import { startBenchOrigin, jsonBody } from './lib/origin.ts'
import { startBenchSite, forwardingChildYaml, benchDir } from './lib/site.ts'
import { startBareProxy } from './lib/proxy-peer.ts'
import { startNginxPeer } from './lib/nginx-peer.ts'
import { forkPeer } from './lib/peer-process.ts'
import { statCpu } from './lib/proc-stat.ts'
import { buildCompiled, startTimed } from './lib/compiled.ts'
import { resultTable, reportRatios, type Ratio, type Row } from './lib/table.ts'
import { cachedForwardRows } from './lib/forward-cache-rows.ts'

const PATH = '/api/v1/repos/mozilla/firefox'
/** Upstream keep-alive connections, the same for fedgate (forward.connections) and http-proxy-3 (maxSockets). */
const UPSTREAM_CONNECTIONS = 128

export async function run(o: BenchOptions): Promise<void> {
  const origin = await startBenchOrigin(jsonBody(1024))
  const { dir, remove } = benchDir()
  writeFileSync(join(dir, 'root.key'), 'fgk_bench_' + 'k'.repeat(32) + '\n', { mode: 0o600 })
  const site = await startBenchSite(forwardingChildYaml('bench', origin.url, `forward: { connections: ${UPSTREAM_CONNECTIONS} }\n`), { dir })
  const bare = await startBareProxy(origin.url, UPSTREAM_CONNECTIONS)
  // fedgate in a process of its own, like nginx (the in-process rows share one event loop with the
  // origin), and as users run it: `fedgate start`, the compiled dist/, its log to a file.
  writeFileSync(join(dir, 'peer.yaml'), forwardingChildYaml('peer', origin.url, `forward: { connections: ${UPSTREAM_CONNECTIONS} }\n`))
  const own = await startTimed([buildCompiled(), 'start', '--config', 'peer.yaml'], { cwd: dir, ca: readFileSync(join(dir, 'certs', 'ca.crt'), 'utf8'), logFile: join(dir, 'peer.log') })
  const ownUrl = `http://127.0.0.1:${own.http}`
  const ownCpuUs = () => {
    const { user, system } = statCpu(`/proc/${own.proc.pid}/stat`)
    return (user + system) * 1e6
  }
  // The least a Node proxy does (node:http + undici dispatch, nothing else), in its own process too.
  const floor = await forkPeer<{ url: string }>(fileURLToPath(new URL('./lib/floor-proxy-peer.ts', import.meta.url)), [origin.url, String(UPSTREAM_CONNECTIONS)])
  const floorCpuUs = () => {
    const { user, system } = statCpu(`/proc/${floor.child.pid}/stat`)
    return (user + system) * 1e6
  }
  const nginx = await startNginxPeer({ dir, originUrl: origin.url, cert: join(dir, 'certs', 'bench.crt'), key: join(dir, 'certs', 'bench.key'), cache: false, keepalive: UPSTREAM_CONNECTIONS })
  try {
    const targets = [
      { name: 'direct to origin', url: origin.url + PATH },
      { name: 'fedgate forward, HTTP', url: site.httpUrl! + PATH },
      { name: 'fedgate forward, HTTPS', url: site.httpsUrl + PATH, servername: 'localhost' },
      { name: 'bare http-proxy-3 + keep-alive agent', url: bare.url + PATH },
      { name: 'fedgate forward, HTTP, own process', url: ownUrl + PATH, cpuUs: ownCpuUs },
      { name: 'Node floor: node:http + undici dispatch, own process', url: floor.ready.url + PATH, cpuUs: floorCpuUs },
      ...(nginx ? [{ name: 'nginx proxy_pass + upstream keep-alive', url: nginx.httpUrl + PATH, cpuUs: nginx.cpuUs }] : []),
    ]
    for (const t of targets) await expectOk(t.url)
    console.log(`forward bench: ${o.connections} connections, ${o.rounds} interleaved rounds of ${o.duration}s per row (median kept), ${o.warmup}s warm-up, load generator ${o.placement === 'inline' ? 'inline' : 'in its own process'}\n`)
    const rows = await measureInterleaved(
      targets.map((t) => ({ name: t.name, cpuUs: t.cpuUs, load: { url: t.url, servername: t.servername, connections: o.connections, duration: o.duration } })),
      o,
    )
    const [direct, http, https, proxy, ownRow, floorRow, nginxRow] = rows as [Row, Row, Row, Row, Row, Row, Row | undefined]
    console.log('\n' + resultTable(rows) + '\n')
    reportRatios('forward', 'forward: fedgate against a bare http-proxy-3 and the origin direct', `${o.rounds} interleaved rounds of ${o.duration} s, ${o.connections} connections, loopback origin answering 1 KiB; ${new Date().toISOString().slice(0, 10)}`, [
        { name: 'req/s: fedgate HTTP / bare http-proxy-3', of: http, over: proxy, target: 1.5 },
        { name: 'req/s: fedgate HTTPS / fedgate HTTP', of: https, over: http, target: 0.75 },
        { name: 'proxy CPU/req (origin removed): http-proxy-3 / fedgate HTTP', of: http, over: proxy, cpu: { base: direct } },
        { name: 'proxy CPU/req (origin removed): fedgate HTTP / fedgate HTTPS', of: https, over: http, cpu: { base: direct } },
        { name: 'req/s: fedgate HTTP / direct', of: http, over: direct },
        { name: 'req/s: fedgate HTTPS / direct', of: https, over: direct },
        { name: 'req/s: bare http-proxy-3 / direct', of: proxy, over: direct },
        { name: 'req/s: fedgate HTTP own process / direct', of: ownRow, over: direct, target: 0.5 },
        { name: 'req/s: fedgate HTTP own process / Node floor', of: ownRow, over: floorRow },
        { name: 'req/s: Node floor / direct', of: floorRow, over: direct },
        ...nginxRatios(ownRow, direct, nginxRow),
        ...(nginxRow ? [{ name: 'req/s: Node floor / nginx proxy_pass', of: floorRow, over: nginxRow }] : []),
    ])
    if (!nginx) console.log('nginx rows skipped: apt-get install -y nginx')
    const bad = rows.filter((r) => r.errors || r.non2xx)
    if (bad.length) console.log(`warning: errors or non-2xx answers in: ${bad.map((r) => r.name).join(', ')}`)
  } finally {
    await bare.close()
    await nginx?.close()
    await own.stop()
    floor.stop()
    await site.close()
    await origin.close()
    remove()
  }
  // forward.cache, with servers of its own.
  await cachedForwardRows(o)
}

/** fedgate (in its own process, as nginx is) against nginx proxy_pass, when nginx ran. */
function nginxRatios(own: Row, direct: Row, nginx: Row | undefined): Ratio[] {
  if (!nginx) return []
  return [
    { name: 'req/s: fedgate HTTP own process / nginx proxy_pass', of: own, over: nginx, target: 0.8 },
    { name: 'proxy CPU/req (origin removed): nginx / fedgate HTTP own process', of: own, over: nginx, cpu: { base: direct } },
    { name: 'req/s: nginx proxy_pass / direct', of: nginx, over: direct },
  ]
}

/** A row that answers 502 quickly would look fast: check each target answers 200 first. */
async function expectOk(url: string): Promise<void> {
  const dispatcher = new Agent({ connect: { rejectUnauthorized: false } })
  try {
    const res = await request(url, { dispatcher, headersTimeout: 5000, bodyTimeout: 5000 })
    await res.body.dump()
    if (res.statusCode !== 200) throw new Error(`${url} answered ${res.statusCode}, not 200`)
  } finally {
    await dispatcher.close()
  }
}
