// Instructions per 1 KiB cache hit, counted by callgrind: a figure this noisy machine cannot move, for
// the gap the hit bench's req/s ratios only bracket. A fedgate root serving the blob with
// `readsNeedKey: false` (the path of a child's hit) and the bare server run one at a time under
// `valgrind --tool=callgrind`; autocannon, natively, sends 50,000 warm-up requests over five successive
// connections, the counters are zeroed, then 10,000 counted requests over one more connection (every
// request one event-loop turn, so the count does not depend on how requests batch).
// What is counted is the event-loop thread, the one that bounds a Node server's rate; the other threads'
// share is printed beside it and is about zero once V8 stops compiling. Three things kept compilation in
// the count before (2026-11-30, sixth session), inflating every row by 40-90%: a single warm-up connection
// (the next connection's sockets change object shapes, deoptimizing Node's HTTP code), V8's memory
// reducer (time-based: under valgrind it fires mid-count, and its full GC drops optimized code that holds
// weak references), and counting all threads (TurboFan compiles on its own). Hence the five warm-up
// connections and `--no-memory-reducer` for every server. Each server still runs --rounds times and keeps
// its lowest count. The request log's batches are time-based, and under valgrind time runs ~50× slower,
// so the log-on row overstates the log (a batch holds 2-3 lines here, about 100 natively); the log-off
// row is the cost of a repeated answer (docs/lifecycle.md, step 1), and the no-repeat row that of the
// whole lifecycle, which a hit took before hot answers (2026-11-30, seventh session); the metrics-off row
// shows what counting each request for /metrics costs a repeated answer.
import { barChart, writeChart } from './lib/chart.ts'
import { execFileSync, spawn } from 'node:child_process'
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'
import { hitRootYaml, publishHitBlob } from './lib/hit-root.ts'
import type { BenchOptions } from './lib/options.ts'
import { benchDir, startBenchSite } from './lib/site.ts'

const WARM = 50_000
const WARM_RUNS = 5
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
    writeFileSync(join(tmp.dir, 'fedgate-log-off-no-repeat.yaml'), hitRootYaml(false, { repeat: false }))
    writeFileSync(join(tmp.dir, 'fedgate-log-off-metrics-off.yaml'), hitRootYaml(false, { metrics: false }))
    // Certificates, the store and the published blob are made natively, once; both fedgate rows use them.
    const path = await publish(tmp.dir)
    console.log(`instructions bench: ${WARM} warm-up and ${COUNTED} counted 1 KiB hits over HTTP, 1 connection, lowest of ${rounds} runs per server (each run ~3 min under valgrind)\n`)
    const counts = new Map<string, number>()
    for (let r = 0; r < rounds; r++) {
      for (const which of ['bare', 'fedgate-log-off-no-repeat', 'fedgate-log-off-metrics-off', 'fedgate-log-off', 'fedgate']) {
        const n = await count(which, tmp.dir, path)
        console.log(`  run ${r + 1}/${rounds}  ${which}: ${fmt(n.loop)} instructions per request on the event loop, ${fmt(n.others)} on other threads`)
        counts.set(which, Math.min(counts.get(which) ?? Infinity, n.loop))
      }
    }
    const bare = counts.get('bare')!
    console.log('\n| server | instructions per request | bare / server |\n| --- | ---: | ---: |')
    for (const [which, n] of counts) console.log(`| ${which} | ${fmt(n)} | ${(bare / n).toFixed(2)}× |`)
    const off = counts.get('fedgate-log-off-metrics-off')!
    const on = counts.get('fedgate-log-off')!
    console.log(`\nmetrics on (the default) / off, log off: ${(on / off).toFixed(4)}× the instructions (${fmt(on - off)} more per request; target ≤ 1.03×)`)
    writeChart('instructions', barChart('instructions per 1 KiB hit under callgrind: bare Node over each server', `lowest of ${rounds} runs, ${COUNTED.toLocaleString('en')} counted requests, event-loop thread; ${new Date().toISOString().slice(0, 10)}`, [
      ...[...counts].map(([which, n]) => ({ label: `bare node / ${which}`, value: bare / n })),
      { label: 'metrics off / metrics on (log off)', value: off / on, target: 0.97 },
    ]))
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

const fmt = (n: number) => Math.round(n).toLocaleString('en')

/** One server under callgrind: instructions per counted request, on the event loop and on the other threads. */
async function count(which: string, dir: string, path: string): Promise<{ loop: number; others: number }> {
  const out = join(dir, `callgrind-${which}`)
  const p = spawn('valgrind', ['--tool=callgrind', '--separate-threads=yes', `--callgrind-out-file=${out}.%p`, process.execPath, '--no-memory-reducer', '--import', 'tsx', SERVER, which, dir, path], { stdio: ['ignore', 'pipe', 'pipe'] })
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
    // Each warm-up run is a new connection: the first few connections' sockets still change object shapes,
    // and the deoptimizations and recompiles they cause would otherwise land in the counted run.
    for (let i = 0; i < WARM_RUNS; i++) await load(url + path, WARM / WARM_RUNS)
    execFileSync('callgrind_control', ['--zero', String(p.pid)], { stdio: 'ignore' })
    const counted = await load(url + path, COUNTED)
    execFileSync('callgrind_control', ['--dump', String(p.pid)], { stdio: 'ignore' })
    // The dump is one file per thread; `<pid>.1-01` is the event loop's.
    const per = new Map<number, number>()
    for (const f of readdirSync(dir)) {
      const m = new RegExp(`^callgrind-${which}\\.${p.pid}\\.(\\d+)-(\\d+)$`).exec(f)
      const total = m && /^(?:summary|totals): (\d+)/m.exec(readFileSync(join(dir, f), 'utf8'))
      if (!total) continue
      per.set(Number(m![2]), Number(total[1]))
    }
    const loop = per.get(1)
    if (loop === undefined) throw new Error(`${which}: no callgrind dump of the main thread`)
    const all = [...per.values()].reduce((a, b) => a + b, 0)
    return { loop: loop / counted, others: (all - loop) / counted }
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
