// Instructions per 1 KiB cache hit, counted by callgrind: a figure this noisy machine cannot move (the
// same server counted twice agrees to about 1%), for the gap the hit bench's req/s ratios only bracket.
// A fedgate root serving the blob with `readsNeedKey: false` (the path of a child's hit) and the bare
// server run one at a time under `valgrind --tool=callgrind`; autocannon, natively, sends 20,000 warm-up
// requests, the counters are zeroed, then 10,000 counted ones, one connection (so every request is one
// event-loop turn and the count does not depend on how requests batch). Each server runs --rounds times
// and keeps its lowest count: V8 sometimes lands in a second, ~5% costlier compilation of the same code.
// The request log's batches are time-based, and under valgrind time runs ~50× slower, so the log-on row
// overstates the log's share; the log-off row is the lifecycle's cost.
import { execFileSync, spawn } from 'node:child_process'
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'
import { hitRootYaml, publishHitBlob } from './lib/hit-root.ts'
import type { BenchOptions } from './lib/options.ts'
import { benchDir, startBenchSite } from './lib/site.ts'

const WARM = 20_000
const COUNTED = 10_000
const SERVER = fileURLToPath(new URL('./lib/instructions-server.ts', import.meta.url))

export async function run(o: BenchOptions): Promise<void> {
  try {
    execFileSync('valgrind', ['--version'], { stdio: 'ignore' })
  } catch {
    console.log('instructions bench skipped: valgrind is not installed (apt-get install -y valgrind)')
    return
  }
  const rounds = process.argv.some((a) => a.startsWith('--rounds')) ? o.rounds : 2
  const tmp = benchDir('fedgate-instructions-')
  try {
    writeFileSync(join(tmp.dir, 'fedgate.yaml'), hitRootYaml(true))
    writeFileSync(join(tmp.dir, 'fedgate-log-off.yaml'), hitRootYaml(false))
    // Certificates, the store and the published blob are made natively, once; both fedgate rows use them.
    const path = await publish(tmp.dir)
    console.log(`instructions bench: ${WARM} warm-up and ${COUNTED} counted 1 KiB hits over HTTP, 1 connection, lowest of ${rounds} runs per server (each run ~1 min under valgrind)\n`)
    const counts = new Map<string, number>()
    for (let r = 0; r < rounds; r++) {
      for (const which of ['bare', 'fedgate-log-off', 'fedgate']) {
        const n = await count(which, tmp.dir, path)
        console.log(`  run ${r + 1}/${rounds}  ${which}: ${Math.round(n).toLocaleString('en')} instructions per request`)
        counts.set(which, Math.min(counts.get(which) ?? Infinity, n))
      }
    }
    const bare = counts.get('bare')!
    console.log('\n| server | instructions per request | bare / server |\n| --- | ---: | ---: |')
    for (const [which, n] of counts) console.log(`| ${which} | ${Math.round(n).toLocaleString('en')} | ${(bare / n).toFixed(2)}× |`)
  } finally {
    tmp.remove()
  }
}

async function publish(dir: string): Promise<string> {
  const root = await startBenchSite(hitRootYaml(true), { dir, name: 'fedgate' })
  try {
    const { path, body } = await publishHitBlob(root)
    writeFileSync(join(dir, 'body.bin'), body)
    return path
  } finally {
    await root.close()
  }
}

/** One server under callgrind: instructions per counted request. */
async function count(which: string, dir: string, path: string): Promise<number> {
  const out = join(dir, `callgrind-${which}`)
  const p = spawn('valgrind', ['--tool=callgrind', `--callgrind-out-file=${out}.%p`, process.execPath, '--import', 'tsx', SERVER, which, dir, path], { stdio: ['ignore', 'pipe', 'pipe'] })
  try {
    let err = ''
    p.stderr!.on('data', (d: Buffer) => void (err = (err + d.toString()).slice(-4000)))
    const url = await new Promise<string>((resolve, reject) => {
      let text = ''
      p.stdout!.on('data', (d: Buffer) => {
        text += d.toString()
        const m = /ready (\S+)/.exec(text)
        if (m) resolve(m[1]!)
      })
      p.once('exit', (code) => reject(new Error(`${which} exited (${code}) before it listened: ${err}`)))
      setTimeout(() => reject(new Error(`${which} did not listen within 5 min under valgrind`)), 300_000).unref()
    })
    await load(url + path, WARM)
    execFileSync('callgrind_control', ['--zero', String(p.pid)], { stdio: 'ignore' })
    const counted = await load(url + path, COUNTED)
    execFileSync('callgrind_control', ['--dump', String(p.pid)], { stdio: 'ignore' })
    const dumps = readdirSync(dir).filter((f) => f.startsWith(`callgrind-${which}.${p.pid}.`))
    const last = dumps.sort((a, b) => Number(a.split('.').pop()) - Number(b.split('.').pop())).pop()
    const total = last && /^(?:summary|totals): (\d+)/m.exec(readFileSync(join(dir, last), 'utf8'))
    if (!total) throw new Error(`${which}: no callgrind dump`)
    return Number(total[1]) / counted
  } finally {
    p.kill('SIGKILL')
  }
}

/** `amount` requests, one connection; every answer must be a 200. */
async function load(url: string, amount: number): Promise<number> {
  const r = await new Promise<autocannon.Result>((resolve, reject) =>
    autocannon({ url, connections: 1, amount, timeout: 60 }, (e: Error | null, res: autocannon.Result) => (e ? reject(e) : resolve(res))),
  )
  if (r.non2xx || r.errors || r.timeouts) throw new Error(`${url}: ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts`)
  return r.requests.total
}
