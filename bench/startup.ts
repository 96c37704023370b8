// Start-up and memory of the gateway as users run it (`fedgate start`: the compiled dist/, its own
// process), against a bare Node HTTPS server in the same run:
// - start → first answer: spawn until GET /health is answered (certificates already made);
// - idle RSS: each process a few seconds after its start (the child once its repository is synchronized);
// - the child's RSS with 1,000 idle tunnels open through it.
// Targets: child idle RSS < 1.6× bare Node's; 1,000 idle tunnels < 100 MB; start → first answer < 250 ms.
// Then a root with 10,000 repositories in its index (bench/lib/many-repositories.ts).
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { availableParallelism, loadavg } from 'node:os'
import { fileURLToPath } from 'node:url'
import { readFileSync } from 'node:fs'
import WebSocket, { WebSocketServer } from 'ws'
import type { BenchOptions } from './lib/options.ts'
import { benchDir } from './lib/site.ts'
import { buildCompiled, fedgateCompiled, startTimed, type ServerProcess } from './lib/compiled.ts'
import { manyRepositories } from './lib/many-repositories.ts'
import { barChart, writeChart } from './lib/chart.ts'

const BARE = fileURLToPath(new URL('./lib/bare-https.mjs', import.meta.url))
const IDLE_TUNNELS = 1000
/** Time each process is left alone before its RSS is read: V8's memory reducer runs about 8 s into idleness. */
const SETTLE_MS = 15_000
const TOKEN = 'bench-startup-token-' + 'c'.repeat(24)
const MiB = 2 ** 20
/** V8's default growth of the young generation, which `fedgate` (bin.mjs) turns off unless given a flag of this kind. */
const SEMI_FLAG = '--semi-space-growth-factor=2'
const TARGET = { rssRatio: 1.6, tunnelsBytes: 100e6, firstAnswerMs: 250 }

interface Sample {
  firstAnswerMs: number
  cpuMs: number
  rss: number
}

export async function run(o: BenchOptions): Promise<void> {
  console.log('building dist/ (npm run build)…')
  const main = buildCompiled()
  const tmp = benchDir()
  const echo = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false, clientTracking: false })
  echo.on('connection', (ws) => ws.on('error', () => {}))
  await new Promise((r) => echo.once('listening', r))
  const running: ServerProcess[] = []
  try {
    const dir = tmp.dir
    const yaml = (name: string, body: string) => {
      writeFileSync(join(dir, `${name}.yaml`), `site: { name: ${name}, role: ${name === 'root' ? 'root' : 'child'} }\ntls: { dir: certs, watch: false }\n${body}`)
      return `${name}.yaml`
    }
    const rootFile = yaml('root', 'listen:\n  https: { host: 127.0.0.1, port: 0 }\n')
    // A root, its certificates, a read key for the child, one published image: what the child syncs.
    fedgateCompiled(['certs', '--config', rootFile], dir)
    const key = fedgateCompiled(['keys', 'create', '--config', rootFile, '--name', 'child', '--scope', 'read'], dir).split('\n').find((l) => l.startsWith('fgk_'))!
    writeFileSync(join(dir, 'root.key'), key + '\n', { mode: 0o600 })
    writeFileSync(join(dir, 'tokens.txt'), TOKEN + '\n', { mode: 0o600 })
    writeFileSync(join(dir, 'image.bin'), 'bench image\n'.repeat(1000))
    fedgateCompiled(['publish', '--config', rootFile, 'bench/app:1.0', 'image.bin'], dir)
    const ca = readFileSync(join(dir, 'certs', 'ca.crt'), 'utf8')
    const bareArgs = [BARE, join(dir, 'certs', 'root.crt'), join(dir, 'certs', 'root.key')]

    const root = await startTimed([main, 'start', '--config', rootFile], { cwd: dir, ca })
    running.push(root)
    const childBody = `listen:
  https: { host: 127.0.0.1, port: 0 }
  http: { host: 127.0.0.1, port: 0, redirectToHttps: false }
root: { url: 'https://127.0.0.1:${root.https}', key: file:./root.key, ca: certs/ca.crt }
repositories: [bench/app]
tunnels:
  - { path: /federation, upstream: 'ws://127.0.0.1:${(echo.address() as { port: number }).port}', tokens: file:./tokens.txt, maxConnections: ${IDLE_TUNNELS * 2} }
`
    const childFile = yaml('child', childBody)
    // The same child with V8's default young generation (SEMI_FLAG): what bin.mjs's hold saves, idle and with the tunnels.
    const semiFile = yaml('child-semi', childBody)
    fedgateCompiled(['certs', '--config', childFile], dir)
    fedgateCompiled(['certs', '--config', semiFile], dir)

    console.log(`startup bench: ${o.rounds} rounds; each starts bare Node, a fedgate root (no repositories) and a fedgate child (one repository synchronized, forwarding, one tunnel route), then reads their RSS after ${SETTLE_MS / 1000} s idle\n`)
    const samples: Record<'bare' | 'root' | 'child' | 'semi', Sample[]> = { bare: [], root: [], child: [], semi: [] }
    let tunnelsRss = 0
    let semiTunnelsRss = 0
    let childBefore = 0
    for (let round = 0; round < o.rounds; round++) {
      const bare = await startTimed(bareArgs, { cwd: dir, ca })
      running.push(bare)
      const again = round === 0 ? root : await startTimed([main, 'start', '--config', rootFile], { cwd: dir, ca })
      if (round > 0) running.push(again)
      const child = await startTimed([main, 'start', '--config', childFile], { cwd: dir, ca })
      running.push(child)
      const semi = await startTimed([SEMI_FLAG, main, 'start', '--config', semiFile], { cwd: dir, ca })
      running.push(semi)
      await child.waitForLine((l) => l.msg === 'repository synchronized')
      await semi.waitForLine((l) => l.msg === 'repository synchronized')
      await new Promise((r) => setTimeout(r, SETTLE_MS))
      samples.bare.push({ firstAnswerMs: bare.firstAnswerMs, cpuMs: bare.firstAnswerCpuMs, rss: bare.rss() })
      samples.root.push({ firstAnswerMs: again.firstAnswerMs, cpuMs: again.firstAnswerCpuMs, rss: again.rss() })
      samples.child.push({ firstAnswerMs: child.firstAnswerMs, cpuMs: child.firstAnswerCpuMs, rss: child.rss() })
      samples.semi.push({ firstAnswerMs: semi.firstAnswerMs, cpuMs: semi.firstAnswerCpuMs, rss: semi.rss() })
      if (round === o.rounds - 1) {
        childBefore = child.rss()
        // Through both children, each in one burst: where holding the young generation still shows at rest.
        const sockets = [...(await openIdle(`ws://127.0.0.1:${child.http}/federation`, IDLE_TUNNELS)), ...(await openIdle(`ws://127.0.0.1:${semi.http}/federation`, IDLE_TUNNELS))]
        await new Promise((r) => setTimeout(r, SETTLE_MS))
        tunnelsRss = child.rss()
        semiTunnelsRss = semi.rss()
        for (const ws of sockets) ws.terminate()
      }
      // The root of round 0 stays up for the next rounds' children, whose upstream it is.
      for (const p of [bare, child, semi, ...(round > 0 ? [again] : [])]) {
        await p.stop()
        running.splice(running.indexOf(p), 1)
      }
      // Each round's child starts empty and synchronizes its repository again.
      for (const site of ['child', 'child-semi']) rmSync(join(dir, '.fedgate', site), { recursive: true, force: true })
    }

    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
    const row = (s: Sample[]) => ({ ms: med(s.map((x) => x.firstAnswerMs)), cpuMs: med(s.map((x) => x.cpuMs)), rss: med(s.map((x) => x.rss)) })
    const bare = row(samples.bare)
    const rootRow = row(samples.root)
    const child = row(samples.child)
    const semi = row(samples.semi)
    const mib = (n: number) => `${(n / MiB).toFixed(1)} MiB`
    console.log('| process | start → first answer | its CPU until then | idle RSS | RSS / bare Node |\n| --- | ---: | ---: | ---: | ---: |')
    for (const [name, r] of [
      ['bare Node HTTPS server', bare],
      ['fedgate root, no repositories', rootRow],
      ['fedgate child: 1 repository synchronized, forwarding, 1 tunnel route', child],
      [`the same child, node ${SEMI_FLAG} (V8's default)`, semi],
    ] as const)
      console.log(`| ${name} | ${r.ms.toFixed(0)} ms | ${r.cpuMs.toFixed(0)} ms | ${mib(r.rss)} | ${(r.rss / bare.rss).toFixed(2)}× |`)
    const ratio = child.rss / bare.rss
    const met = (ok: boolean) => (ok ? 'met' : 'missed')
    console.log('\n| measure | value | target | |\n| --- | ---: | ---: | --- |')
    console.log(`| child idle RSS / bare Node's | ${ratio.toFixed(2)}× | < ${TARGET.rssRatio}× | ${met(ratio < TARGET.rssRatio)} |`)
    console.log(`| child RSS with ${IDLE_TUNNELS.toLocaleString('en-US')} idle tunnels (${mib(childBefore)} before) | ${mib(tunnelsRss)} | < 100 MB (${mib(TARGET.tunnelsBytes)}) | ${met(tunnelsRss < TARGET.tunnelsBytes)} |`)
    console.log(`| the same, node ${SEMI_FLAG} (V8's default young generation) | ${mib(semiTunnelsRss)} | – | |`)
    console.log(`| child start → first answer | ${child.ms.toFixed(0)} ms | < ${TARGET.firstAnswerMs} ms | ${met(child.ms < TARGET.firstAnswerMs)} |`)
    console.log(`| root start → first answer | ${rootRow.ms.toFixed(0)} ms | < ${TARGET.firstAnswerMs} ms | ${met(rootRow.ms < TARGET.firstAnswerMs)} |`)
    // On a loaded machine wall time stretches with the run queue; CPU time much less so.
    // Drawn as target over measure, so that higher is better as in every chart (≥ 1× is met).
    writeChart('startup', barChart('startup: fedgate start, compiled, against its targets', `RSS against 1.6× bare Node's, tunnels against 100 MB, first answers against 250 ms; medians of ${o.rounds} rounds; ${new Date().toISOString().slice(0, 10)}`, [
      { label: 'child idle RSS: 1.6 × bare Node / child', value: (TARGET.rssRatio * bare.rss) / child.rss, target: 1 },
      { label: `child with ${IDLE_TUNNELS.toLocaleString('en-US')} idle tunnels: 100 MB / RSS`, value: TARGET.tunnelsBytes / tunnelsRss, target: 1 },
      { label: 'child first answer: 250 ms / measured', value: TARGET.firstAnswerMs / child.ms, target: 1 },
      { label: 'root first answer: 250 ms / measured', value: TARGET.firstAnswerMs / rootRow.ms, target: 1 },
    ]))
    console.log(`\nload average while measuring: ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores${loadavg()[0]! > availableParallelism() ? ' (busy: read the CPU column)' : ''}\n`)
  } finally {
    for (const p of running) await p.stop()
    await new Promise((r) => echo.close(r))
    tmp.remove()
  }
  await manyRepositories()
}

/** Opens n WebSockets through the tunnel, 50 at a time (bounded: 10 s each). */
async function openIdle(url: string, n: number): Promise<WebSocket[]> {
  const open = () =>
    new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(url, { headers: { authorization: `Bearer ${TOKEN}` }, perMessageDeflate: false, handshakeTimeout: 10_000 })
      ws.once('open', () => resolve(ws))
      ws.once('error', reject)
    })
  const out: WebSocket[] = []
  for (let i = 0; i < n; i += 50) out.push(...(await Promise.all(Array.from({ length: Math.min(50, n - i) }, open))))
  return out
}
