// The forward bench's cache rows (forward.cache), in their own site, origin and nginx so they merge
// apart from the other rows: cached forwarded reads (hits) against nginx proxy_cache on the same origin,
// target ≥ 1.0× nginx; and 200 clients asking at once for one cold URL: requests the root gets
// (target 1), with nginx's proxy_cache_lock as the anchor.
import http from 'node:http'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { Agent, request } from 'undici'
import type { BenchOptions } from './options.ts'
import { jsonBody, listenLoopback } from './origin.ts'
import { startNginxPeer } from './nginx-peer.ts'
import { measureInterleaved } from './rounds.ts'
import { benchDir, forwardingChildYaml, startBenchSite } from './site.ts'
import { markdown, ratioTable, resultTable, type Row } from './table.ts'

const PATH = '/api/v1/repos/mozilla/firefox'
const COLD_CLIENTS = 200
const COLD_ROUNDS = 3
/** The root takes this long over a cold URL, so every client arrives while its first request is out. */
const COLD_DELAY_MS = 300

export async function cachedForwardRows(o: BenchOptions): Promise<void> {
  const body = jsonBody(1024)
  const asked = new Map<string, number>()
  const server = http.createServer({ keepAliveTimeout: 30_000 }, (req, res) => {
    req.resume()
    asked.set(req.url!, (asked.get(req.url!) ?? 0) + 1)
    const answer = () => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length })
      res.end(body)
    }
    if (req.url!.startsWith('/cold/')) setTimeout(answer, COLD_DELAY_MS)
    else answer()
  })
  const origin = await listenLoopback(server)
  const { dir, remove } = benchDir()
  writeFileSync(join(dir, 'root.key'), 'fgk_bench_' + 'k'.repeat(32) + '\n', { mode: 0o600 })
  // The root sends no freshness: both caches keep a 200 for an hour (nginx: proxy_cache_valid 200 1h).
  const site = await startBenchSite(forwardingChildYaml('bench-cache', origin.url, 'forward: { connections: 128, cache: { enabled: true, defaults: { maxAge: 1h } } }\n'), { dir, name: 'cache' })
  const nginx = await startNginxPeer({
    dir,
    name: 'nginx-cache',
    originUrl: origin.url,
    cert: join(dir, 'certs', 'bench-cache.crt'),
    key: join(dir, 'certs', 'bench-cache.key'),
    location: '      proxy_cache_lock on;\n      proxy_cache_lock_timeout 5s;\n',
  })
  try {
    const fedgateUrl = site.httpUrl! + PATH
    await warm(fedgateUrl, 'cache-status', /; hit/)
    if (nginx) await warm(nginx.httpUrl + PATH, 'x-cache-status', /HIT/)
    console.log(`\nforward cache: cached forwarded reads (hits) vs nginx proxy_cache, ${o.rounds} interleaved rounds of ${o.duration}s\n`)
    const rows = await measureInterleaved(
      [
        { name: 'fedgate forward cache hit, HTTP', load: { url: fedgateUrl, connections: o.connections, duration: o.duration }, group: 'cache' },
        ...(nginx ? [{ name: 'nginx proxy_cache hit, HTTP', load: { url: nginx.httpUrl + PATH, connections: o.connections, duration: o.duration }, cpuUs: nginx.cpuUs, group: 'cache' }] : []),
      ],
      o,
    )
    console.log('\n' + resultTable(rows) + '\n')
    const [fedgate, peer] = rows as [Row, Row | undefined]
    if (peer) console.log(ratioTable([{ name: 'req/s: fedgate forward cache hit / nginx proxy_cache hit', of: fedgate, over: peer, target: 1.0 }]) + '\n')
    else console.log('nginx row skipped: apt-get install -y nginx\n')

    // One cold URL per round, asked by every client at once.
    const cold: string[][] = []
    for (const [name, base] of [['fedgate forward cache', site.httpUrl!], ...(nginx ? [['nginx proxy_cache_lock', nginx.httpUrl]] : [])] as [string, string][]) {
      const counts: string[] = []
      let failed = 0
      for (let round = 0; round < COLD_ROUNDS; round++) {
        const path = `/cold/${name.split(' ')[0]}-${round}`
        failed += await allAtOnce(base + path, COLD_CLIENTS)
        counts.push(String(asked.get(path) ?? 0))
      }
      cold.push([name, counts.join(', '), '1', failed ? `${failed} not 200` : 'all 200'])
    }
    console.log(`${COLD_CLIENTS} clients at once on one cold URL (the root answers after ${COLD_DELAY_MS} ms), ${COLD_ROUNDS} rounds:\n`)
    console.log(markdown(['setup', 'root requests per round', 'target', 'answers'], cold) + '\n')
  } finally {
    await nginx?.close()
    await site.close()
    await origin.close()
    remove()
  }
}

/** Asks until the answer comes from the cache (bounded), so no row measures a miss. */
async function warm(url: string, header: string, hit: RegExp): Promise<void> {
  for (let i = 0; i < 20; i++) {
    const res = await request(url, { headersTimeout: 5000, bodyTimeout: 5000 })
    await res.body.dump()
    if (res.statusCode !== 200) throw new Error(`${url} answered ${res.statusCode}, not 200`)
    if (hit.test(String(res.headers[header] ?? ''))) return
    await sleep(50)
  }
  throw new Error(`${url}: never answered from its cache`)
}

/** `n` requests at once on their own connections; how many did not get 200. */
async function allAtOnce(url: string, n: number): Promise<number> {
  const agent = new Agent({ connections: n, pipelining: 1 })
  try {
    const got = await Promise.all(
      Array.from({ length: n }, async () => {
        try {
          const res = await request(url, { dispatcher: agent, headersTimeout: 30_000, bodyTimeout: 30_000 })
          await res.body.dump()
          return res.statusCode
        } catch {
          return 0
        }
      }),
    )
    return got.filter((s) => s !== 200).length
  } finally {
    await agent.close()
  }
}
