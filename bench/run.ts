// `npm run bench -- <name> [--duration s] [--connections n] [--warmup s] [--rounds n] [--inline]` runs bench/<name>.ts;
// `npm run bench` lists them. A new bench is one file exporting `run(options)` and one line below.
import { parseBenchArgs, type BenchOptions } from './lib/options.ts'

const benches: Record<string, string> = {
  hit: 'cache hit: a synchronized blob of 1 KiB and 100 KiB from a fedgate child (root stopped) vs bare Node and nginx proxy_cache, HTTP/HTTPS',
  forward: 'forwarding: direct vs fedgate HTTP/HTTPS vs bare http-proxy-3 with keep-alive; forward.cache hits vs nginx proxy_cache, and root requests for 200 clients on one cold URL vs nginx proxy_cache_lock',
  npm: 'npm install of 30 synchronized packages: straight from Verdaccio vs through a fedgate child, and with the root stopped',
  sync: 'sync: 1 GiB in 64 blobs from a root on loopback vs curl, child peak RSS, re-sync after one tag changed',
  instructions: 'instructions per 1 KiB hit under callgrind (noise-free): bare Node vs fedgate with its request log off and on',
  startup: 'compiled fedgate vs bare Node HTTPS: start → first answer, idle RSS, RSS with 1,000 idle tunnels; a root with 10,000 repositories',
  lag: 'live replication: publish → served at a child and a grandchild, change stream vs polling; root RSS with 1,000 subscribers, one announcement to all',
  mirror: 'two sites on one mirror link, 1,000 tags each side (+10 of 16 MiB): time to converge, bytes moved vs minimum, changes after convergence',
  rounds: 'sync rounds over 10,000 quiet repositories: one read of the change feed vs one sync per repository (time, requests to the root)',
  tunnel: 'WebSocket tunnel: 100 connections echoing 1 KiB direct vs through fedgate (msg/s, p99), RSS with 1,000 idle tunnels',
}

export interface Bench {
  run(o: BenchOptions): Promise<void>
}

async function main(): Promise<void> {
  const { name, options } = parseBenchArgs(process.argv.slice(2))
  if (!name || !(name in benches)) {
    if (name) console.log(`unknown bench: ${name}\n`)
    console.log('usage: npm run bench -- <name> [--duration s] [--connections n] [--warmup s] [--rounds n] [--inline]\n\nbenches:')
    for (const [n, what] of Object.entries(benches)) console.log(`  ${n.padEnd(10)} ${what}`)
    process.exitCode = name ? 2 : 0
    return
  }
  const bench = (await import(`./${name}.ts`)) as Bench
  await bench.run(options)
}

main().then(
  // Servers are closed by each bench; exit anyway so a stray timer cannot keep the run alive.
  () => process.exit(),
  (err: Error) => {
    console.error(err.stack ?? String(err))
    process.exit(1)
  },
)
