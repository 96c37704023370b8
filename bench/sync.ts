// Sync: a repository of 1 GiB in 64 blobs (FEDGATE_BENCH_SYNC_MIB to scale) synchronized from a root
// on loopback by a child running as its own process (`fedgate start`), against curl fetching the same
// bytes (4 in parallel, as sync.concurrency) in the same run. Prints throughput, the child's peak RSS
// (VmHWM) and the time to re-sync after one tag changed (only the changed blob moves), and two Node
// floors (bench/lib/hash-fetch.ts: undici + sha256 with nothing stored, and with fedgate's blob store
// alone) to show what any Node client that verifies, or verifies and stores, reaches on this machine.
// CHILD_ARGS adds node flags to the child (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").
// Page cache: this VM's host backs guest memory lazily (virtio-balloon free page reporting hands freed
// pages back within seconds), so the first write into such a page costs a host fault: 1 GiB into a new
// file took 2.9 s of system time here, against 0.2 s into pages freed a moment before. Every row that
// stores (curl to files, the floor with the store, the child) pays it alike; the /dev/null rows do not.
import { barChart, writeChart } from './lib/chart.ts'
import { spawn, execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { Agent, request } from 'undici'
import type { BenchOptions } from './lib/options.ts'
import { buildCompiled } from './lib/compiled.ts'
import { benchDir, startBenchSite } from './lib/site.ts'
import { markdown } from './lib/table.ts'
import { statCpu, type CpuTimes } from './lib/proc-stat.ts'
import { openStores } from '../plugins/hub/store/open.ts'
import { KeyRing } from '../plugins/hub/keys.ts'
import { loadConfigFile } from '../gateway/config/load.ts'
import { builtinPlugins } from '../plugins/index.ts'
import { systemClock } from '../gateway/util/clock.ts'

const TOTAL_MIB = Number(process.env.FEDGATE_BENCH_SYNC_MIB ?? 1024)
const BLOBS = 64
const HASH_FETCH = fileURLToPath(new URL('./lib/hash-fetch.ts', import.meta.url))

export async function run(_o: BenchOptions): Promise<void> {
  // The child runs as users run it: `fedgate start` from the compiled dist/, rebuilt first.
  const main = buildCompiled()
  const tmp = benchDir()
  const blobSize = Math.floor((TOTAL_MIB * 2 ** 20) / BLOBS)
  const root = await startBenchSite(`site: { name: root, role: root }\nlisten:\n  https: { host: 127.0.0.1, port: 0 }\ntls: { dir: certs, watch: false }\nlog: { level: warn }\n`, { dir: tmp.dir, name: 'root' })
  let child: ReturnType<typeof spawn> | undefined
  const agent = new Agent({ connect: { ca: readFileSync(root.gw.caFile, 'utf8') } })
  try {
    const keys = root.gw.service<KeyRing>('keys')!
    const readKey = (await keys.create({ name: 'child', scope: 'read' })).key
    const publishKey = (await keys.create({ name: 'bench', scope: 'publish', namespaces: ['*'] })).key
    const ids: string[] = []
    const put = async (tag: string) => {
      const res = await request(`${root.httpsUrl}/api/v1/repos/bench/big/images/${tag}?latest=false`, { method: 'PUT', body: randomBytes(blobSize), headers: { authorization: `Bearer ${publishKey}` }, dispatcher: agent })
      const body = (await res.body.json()) as { id: string }
      if (res.statusCode !== 201) throw new Error(`publish ${tag}: ${res.statusCode}`)
      return body.id
    }
    for (let i = 0; i < BLOBS; i++) ids.push(await put(`t${i}`))
    console.log(`root: bench/big, ${BLOBS} blobs of ${(blobSize / 2 ** 20).toFixed(1)} MiB`)

    // curl, the same bytes from the same root, 4 at a time over keep-alive.
    const curlArgs = ['-s', '--parallel', '--parallel-max', '4', '--cacert', root.gw.caFile, '-H', `Authorization: Bearer ${readKey}`]
    const blobUrl = (id: string) => `${root.httpsUrl}/api/v1/blobs/sha256:${id}`
    for (const id of ids) curlArgs.push('-o', '/dev/null', blobUrl(id))
    const c0 = performance.now()
    const rc0 = process.cpuUsage()
    let k0 = reapedCpu()
    await promisify(execFile)('curl', curlArgs, { maxBuffer: 1 << 20 })
    const curlMs = performance.now() - c0
    const curlRootCpu = cpuSince(rc0)
    const curlCpu = reapedCpu() - k0
    console.log(`curl: ${(curlMs / 1000).toFixed(1)} s`)
    // curl again, writing files and syncing them as the child does (which also hashes every byte).
    const fileArgs = curlArgs.slice(0, 8)
    mkdirSync(join(tmp.dir, 'curl'))
    for (const id of ids) fileArgs.push('-o', join(tmp.dir, 'curl', id), blobUrl(id))
    const f0 = performance.now()
    k0 = reapedCpu()
    await promisify(execFile)('curl', fileArgs, { maxBuffer: 1 << 20 })
    const curlUnsyncedMs = performance.now() - f0
    // Each file, as the child fsyncs each blob (`sync DIR` would only fsync the folder itself).
    await promisify(execFile)('sync', ids.map((id) => join(tmp.dir, 'curl', id)))
    const curlFileMs = performance.now() - f0
    const curlFileCpu = reapedCpu() - k0
    rmSync(join(tmp.dir, 'curl'), { recursive: true, force: true })
    // Floors for any Node client: undici + sha256 of every byte, nothing stored; then the same bodies
    // into fedgate's blob store alone (hash, write, fsync, rename), no sync engine.
    writeFileSync(join(tmp.dir, 'root.key'), readKey)
    const nodeClient = async (extra: string[]) => {
      const k = reapedCpu()
      const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', HASH_FETCH, ...extra, root.gw.caFile, join(tmp.dir, 'root.key'), ...ids.map(blobUrl)])
      return { ms: (JSON.parse(stdout) as { ms: number }).ms, cpu: reapedCpu() - k }
    }
    const { ms: floorMs, cpu: floorCpu } = await nodeClient([])
    const { ms: storeMs, cpu: storeCpu } = await nodeClient(['--store', join(tmp.dir, 'floor-store')])
    rmSync(join(tmp.dir, 'floor-store'), { recursive: true, force: true })

    // The child, its own process, with an admin key made before it starts; the repository is added once
    // it listens (admin API), so the timing holds the sync alone, not the process start-up.
    const file = join(tmp.dir, 'child.yaml')
    writeFileSync(file, `site: { name: child, role: child }\nlisten:\n  https: { host: 127.0.0.1, port: 0 }\ntls: { dir: certs, watch: false }\nlog: { level: info, requests: false }\nroot:\n  url: ${root.httpsUrl}\n  key: file:./root.key\n  ca: certs/ca.crt\nrepositories: []\n`)
    const stores = await openStores(loadConfigFile(file, builtinPlugins), { follow: false })
    const adminKey = (await new KeyRing(stores.index, systemClock).create({ name: 'bench', scope: 'admin' })).key
    await stores.close()
    const proc = (child = spawn(process.execPath, [...childNodeArgs(), main, 'start', '--config', file], { stdio: ['ignore', 'pipe', 'inherit'] }))
    const port = await new Promise<number>((resolve, reject) => {
      createInterface({ input: proc.stdout! }).on('line', (line) => {
        const l = JSON.parse(line) as { msg?: string; https?: number }
        if (l.msg === 'fedgate listening') resolve(l.https!)
      })
      proc.once('exit', (code) => reject(new Error(`the child exited with ${code}`)))
    })
    const s0 = performance.now()
    const cpu0 = cpuSeconds(proc.pid!)
    const rootCpu0 = process.cpuUsage()
    const added = await request(`https://127.0.0.1:${port}/api/v1/admin/repos`, { method: 'POST', body: '{"name":"bench/big"}', headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' }, dispatcher: agent })
    await added.body.dump()
    if (added.statusCode >= 300) throw new Error(`adding the repository: ${added.statusCode}`)
    const status = async () => {
      const res = await request(`https://127.0.0.1:${port}/api/v1/federation/status`, { headers: { authorization: `Bearer ${adminKey}` }, dispatcher: agent })
      return ((await res.body.json()) as { repos: { name: string; state: string; error?: string }[] }).repos[0]
    }
    for (let i = 0; ; i++) {
      const st = await status()
      if (st?.state === 'in-sync') break
      if (i > 20 * 60 * 10) throw new Error(`no sync after 20 minutes: ${JSON.stringify(st)}`)
      if (i % 100 === 99) console.log(`child: ${JSON.stringify(st)}`)
      await new Promise((r) => setTimeout(r, 100))
    }
    const syncMs = performance.now() - s0
    const syncCpu = cpuSeconds(proc.pid!) - cpu0
    const threads = threadCpu(proc.pid!)
    const syncRootCpu = cpuSince(rootCpu0)
    const peakRss = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${proc.pid}/status`, 'utf8'))?.[1] ?? 0) * 1024

    // One tag changes: only that blob should move.
    const received = async () => {
      const res = await request(`https://127.0.0.1:${port}/health`, { headers: { authorization: `Bearer ${adminKey}` }, dispatcher: agent })
      return ((await res.body.json()) as { sync: { bytesReceived: number } }).sync.bytesReceived
    }
    const before = await received()
    await put('t7')
    const r0 = performance.now()
    const res = await request(`https://127.0.0.1:${port}/api/v1/admin/sync`, { method: 'POST', body: '{"name":"bench/big","wait":true}', headers: { authorization: `Bearer ${adminKey}` }, dispatcher: agent })
    await res.body.dump()
    const resyncMs = performance.now() - r0
    const moved = (await received()) - before

    const mibps = (ms: number) => (TOTAL_MIB / (ms / 1000)).toFixed(0)
    console.log(
      markdown(
        ['what', 'time', 'MiB/s'],
        [
          [`curl, ${BLOBS} blobs, 4 in parallel, to /dev/null`, `${(curlMs / 1000).toFixed(1)} s`, mibps(curlMs)],
          [`curl, the same, to files (not yet on disk)`, `${(curlUnsyncedMs / 1000).toFixed(1)} s`, mibps(curlUnsyncedMs)],
          [`curl, the same, to files then sync`, `${(curlFileMs / 1000).toFixed(1)} s`, mibps(curlFileMs)],
          [`Node floor: undici + sha256, nothing stored`, `${(floorMs / 1000).toFixed(1)} s`, mibps(floorMs)],
          [`Node floor + fedgate's blob store (no engine)`, `${(storeMs / 1000).toFixed(1)} s`, mibps(storeMs)],
          [`fedgate child sync (repository added → in sync)`, `${(syncMs / 1000).toFixed(1)} s`, mibps(syncMs)],
          [`re-sync after one tag changed`, `${resyncMs.toFixed(0)} ms`, `${(moved / 2 ** 20).toFixed(1)} MiB moved`],
        ],
      ),
    )
    const ratio = curlMs / syncMs
    console.log(`throughput vs curl to /dev/null: ${ratio.toFixed(2)}× (target ≥ 0.7×) ${ratio >= 0.7 ? 'met' : 'MISSED'}; vs curl to files: ${(curlUnsyncedMs / syncMs).toFixed(2)}× (not yet on disk), ${(curlFileMs / syncMs).toFixed(2)}× (synced)`)
    // What storing costs curl itself here, and what a Node process reaches before any disk or index work.
    console.log(`curl storing the bytes vs curl to /dev/null: ${(curlMs / curlUnsyncedMs).toFixed(2)}× (to files), ${(curlMs / curlFileMs).toFixed(2)}× (to files, synced)`)
    console.log(`Node floor vs curl: ${(curlMs / floorMs).toFixed(2)}×; with the blob store: ${(curlMs / storeMs).toFixed(2)}×; fedgate vs the Node floor: ${(floorMs / syncMs).toFixed(2)}×, vs the floor with the store: ${(storeMs / syncMs).toFixed(2)}×`)
    console.log(`child CPU during the sync: ${syncCpu.toFixed(1)} s (${((syncCpu * 1000) / TOTAL_MIB).toFixed(1)} ms per MiB), ${((100 * syncCpu * 1000) / syncMs).toFixed(0)}% of one core`)
    console.log(`child CPU by thread since its start (user + system s): ${threads}`)
    // The client side's CPU for the same GiB (whole processes, start-up included for the Node ones).
    console.log(`client CPU: curl to /dev/null ${curlCpu.toFixed(1)} s, curl to files + sync ${curlFileCpu.toFixed(1)} s, Node floor ${floorCpu.toFixed(1)} s, floor + blob store ${storeCpu.toFixed(1)} s, fedgate ${syncCpu.toFixed(1)} s`)
    // Root and child share this machine's cores: when their sum nears the core count, the machine is the limit.
    console.log(`root (this process) CPU: ${curlRootCpu.toFixed(1)} s while curl ran, ${syncRootCpu.toFixed(1)} s during the child's sync`)
    console.log(`child peak RSS: ${(peakRss / 2 ** 20).toFixed(0)} MiB (target < 200 MB) ${peakRss < 200e6 ? 'met' : 'MISSED'}`)
    writeChart('sync', barChart('sync: 1 GiB from a root on loopback, fedgate against curl and a Node floor', `throughput ratios (time of the other over fedgate's); RSS as the 200 MB target over the peak; ${new Date().toISOString().slice(0, 10)}`, [
      { label: 'throughput: fedgate / curl to /dev/null', value: ratio, target: 0.7 },
      { label: 'throughput: fedgate / curl to files, synced', value: curlFileMs / syncMs },
      { label: 'throughput: fedgate / Node floor (undici + sha256)', value: floorMs / syncMs },
      { label: 'throughput: fedgate / Node floor + blob store', value: storeMs / syncMs },
      { label: 'child peak RSS: 200 MB / measured', value: 200e6 / peakRss, target: 1 },
    ]))
    console.log(`re-sync moved ${(moved / 2 ** 20).toFixed(1)} MiB for one changed ${(blobSize / 2 ** 20).toFixed(1)} MiB blob`)
  } finally {
    // A graceful stop first (its profile, with CHILD_ARGS=--cpu-prof, is written on exit), bounded.
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child!.once('exit', r))
      child.kill('SIGTERM')
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000).unref())])
      child.kill('SIGKILL')
    }
    await agent.close()
    await root.close()
    tmp.remove()
  }
}

function cpuSince(start: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(start)
  return (u.user + u.system) / 1e6
}

/** Extra node flags for the child, e.g. CHILD_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' to profile it. */
function childNodeArgs(): string[] {
  return (process.env.CHILD_ARGS ?? '').split(' ').filter(Boolean)
}

/** Main thread and the rest (libuv pool, V8), user and system CPU seconds since the process started: where the child's CPU goes. */
function threadCpu(pid: number): string {
  const by = new Map<string, CpuTimes>()
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    const name = tid === String(pid) ? 'main' : 'other threads'
    const c = statCpu(`/proc/${pid}/task/${tid}/stat`)
    const t = by.get(name) ?? { user: 0, system: 0 }
    by.set(name, { user: t.user + c.user, system: t.system + c.system })
  }
  return [...by].filter(([, c]) => c.user + c.system >= 0.05).map(([n, c]) => `${n} ${c.user.toFixed(1)} + ${c.system.toFixed(1)}`).join(', ')
}

/** User + system CPU seconds of this process's children that have exited and been waited for. */
function reapedCpu(): number {
  const c = statCpu('/proc/self/stat', { reaped: true })
  return c.user + c.system
}

/** User + system CPU seconds a process has used so far. */
function cpuSeconds(pid: number): number {
  const c = statCpu(`/proc/${pid}/stat`)
  return c.user + c.system
}
