// Forwarding throughput, all rows in one run against the same loopback origin (a 1 KiB JSON answer):
// direct to the origin, fedgate's forward path over HTTP and HTTPS, and a bare http-proxy-3 with a
// keep-alive agent. Targets: fedgate-http ≥ 1.5× http-proxy-3; HTTPS costs ≤ 25% (ratio ≥ 0.75).
//
// Placement: the origin and every proxy run in this process, autocannon in a child process: on 2 cores,
// one core for the load and one for the servers. Measured both ways: with autocannon inline the rows
// swung 3× between runs (the load generator and the proxy took turns on one event loop), so it is
// only an option (--inline). The servers' CPU µs per request is printed too: on a shared machine it
// moves less than req/s, and minus the direct row it is each proxy's own cost (docs/benchmarks.md).
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Agent, request } from 'undici'
import type { BenchOptions } from './lib/options.ts'
import { measureInterleaved } from './lib/rounds.ts'
import { startBenchOrigin, jsonBody } from './lib/origin.ts'
import { startBenchSite, forwardingChildYaml, benchDir } from './lib/site.ts'
import { startBareProxy } from './lib/proxy-peer.ts'
import { resultTable, reportRatios, type Row } from './lib/table.ts'

const PATH = '/api/v1/repos/mozilla/firefox'
/** Upstream keep-alive connections, the same for fedgate (forward.connections) and http-proxy-3 (maxSockets). */
const UPSTREAM_CONNECTIONS = 128

export async function run(o: BenchOptions): Promise<void> {
  const origin = await startBenchOrigin(jsonBody(1024))
  const { dir, remove } = benchDir()
  writeFileSync(join(dir, 'root.key'), 'fgk_bench_' + 'k'.repeat(32) + '\n', { mode: 0o600 })
  const site = await startBenchSite(forwardingChildYaml('bench', origin.url, `forward: { connections: ${UPSTREAM_CONNECTIONS} }\n`), { dir })
  const bare = await startBareProxy(origin.url, UPSTREAM_CONNECTIONS)
  try {
    const targets = [
      { name: 'direct to origin', url: origin.url + PATH },
      { name: 'fedgate forward, HTTP', url: site.httpUrl! + PATH },
      { name: 'fedgate forward, HTTPS', url: site.httpsUrl + PATH, servername: 'localhost' },
      { name: 'bare http-proxy-3 + keep-alive agent', url: bare.url + PATH },
    ]
    for (const t of targets) await expectOk(t.url)
    console.log(`forward bench: ${o.connections} connections, ${o.rounds} interleaved rounds of ${o.duration}s per row (median kept), ${o.warmup}s warm-up, load generator ${o.placement === 'inline' ? 'inline' : 'in its own process'}\n`)
    const rows = await measureInterleaved(
      targets.map((t) => ({ name: t.name, load: { url: t.url, servername: t.servername, connections: o.connections, duration: o.duration } })),
      o,
    )
    const [direct, http, https, proxy] = rows as [Row, Row, Row, Row]
    console.log('\n' + resultTable(rows) + '\n')
    reportRatios('forward', 'forward: fedgate against a bare http-proxy-3 and the origin direct', `${o.rounds} interleaved rounds of ${o.duration} s, ${o.connections} connections, loopback origin answering 1 KiB; ${new Date().toISOString().slice(0, 10)}`, [
        { name: 'req/s: fedgate HTTP / bare http-proxy-3', of: http, over: proxy, target: 1.5 },
        { name: 'req/s: fedgate HTTPS / fedgate HTTP', of: https, over: http, target: 0.75 },
        { name: 'proxy CPU/req (origin removed): http-proxy-3 / fedgate HTTP', of: http, over: proxy, cpu: { base: direct } },
        { name: 'proxy CPU/req (origin removed): fedgate HTTP / fedgate HTTPS', of: https, over: http, cpu: { base: direct } },
        { name: 'req/s: fedgate HTTP / direct', of: http, over: direct },
        { name: 'req/s: fedgate HTTPS / direct', of: https, over: direct },
        { name: 'req/s: bare http-proxy-3 / direct', of: proxy, over: direct },
    ])
    const bad = rows.filter((r) => r.errors || r.non2xx)
    if (bad.length) console.log(`warning: errors or non-2xx answers in: ${bad.map((r) => r.name).join(', ')}`)
  } finally {
    await bare.close()
    await site.close()
    await origin.close()
    remove()
  }
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
