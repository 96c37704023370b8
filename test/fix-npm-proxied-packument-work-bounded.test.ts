// 200 clients ask at once for a large packument (4 MiB) of a package that is not synchronized: the
// answers go out a bounded number of bytes at a time (npm.proxy.maxBytes), so the memory of the
// gateway (its own process, measured by the kernel's peak RSS) grows by a small multiple of that, far
// from 200 copies, and every client still gets the whole document.
import t from 'tap'
import { spawn } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { Agent, request } from 'undici'
import { loadConfigFile } from '../gateway/config/load.ts'
import { systemClock } from '../gateway/util/clock.ts'
import { KeyRing } from '../plugins/hub/keys.ts'
import { openStores } from '../plugins/hub/store/open.ts'
import { builtinPlugins } from '../plugins/index.ts'
import { childYaml, tempDir, writeSecret } from './helpers/sites.ts'
import { startNpmOrigin } from './helpers/npm-origin.ts'

const BIN = fileURLToPath(new URL('../gateway/cli/bin.mjs', import.meta.url))
const MiB = 1024 * 1024
const CLIENTS = 200
const SIZE = 4 * MiB
const MAX_BYTES = 16 * MiB

/** VmRSS or VmHWM (the peak) of a process, in bytes. */
const memory = (pid: number, field: 'VmRSS' | 'VmHWM') => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024

t.test('a flood of proxied packuments holds a bounded number of bytes', async (t) => {
  const dir = tempDir(t)
  const root = await startNpmOrigin(t, { size: SIZE })
  writeSecret(dir, 'root.key', 'site-key-0123456789abcdef')
  const file = join(dir, 'branch.yaml')
  writeFileSync(file, childYaml('branch', root.url, `store: { dir: branch-store }\nnpm:\n  packages: []\n  proxy: { maxBytes: ${MAX_BYTES / MiB}MiB, wait: 5m }\n`))
  // An admin key, made before the site starts, for /health's detail.
  const stores = await openStores(loadConfigFile(file, builtinPlugins), { follow: false })
  const admin = (await new KeyRing(stores.index, systemClock).create({ name: 'ops', scope: 'admin' })).key
  await stores.close()

  const proc = spawn(process.execPath, [BIN, 'start', '--config', file], { stdio: ['ignore', 'pipe', 'inherit'] })
  t.teardown(() => void proc.kill('SIGKILL'))
  const port = await new Promise<number>((resolve, reject) => {
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      const l = JSON.parse(line) as { msg?: string; https?: number }
      if (l.msg === 'fedgate listening') resolve(l.https!)
    })
    proc.once('exit', (code) => reject(new Error(`fedgate exited with ${code} before listening`)))
  })
  const agent = new Agent({ connect: { ca: readFileSync(join(dir, 'certs', 'ca.crt'), 'utf8') } })
  t.teardown(() => agent.close())
  const url = `https://127.0.0.1:${port}`
  const proxied = async () => {
    // A connection of its own each time: a kept-alive one may meet the server's idle timeout mid-request.
    const res = await request(`${url}/health`, { headers: { authorization: `Bearer ${admin}` }, dispatcher: agent, reset: true })
    return ((await res.body.json()) as { npm: { proxied: { requests: number; bytes: number } } }).npm.proxied
  }

  const before = memory(proc.pid!, 'VmRSS')
  let peakBytes = 0
  const answers = Array.from({ length: CLIENTS }, async () => {
    // Each client closes its connection once answered: Node keeps a TLS connection's grown write buffers
    // (about half of what it sent) for its life, which is what idle connections cost, not proxied work.
    const res = await request(`${url}/big`, { headers: { accept: 'application/json' }, dispatcher: agent, reset: true })
    let n = 0
    for await (const chunk of res.body) n += (chunk as Buffer).length
    return { status: res.statusCode, bytes: n }
  })
  // Every request waits at the gateway before the root answers: all answers are ready at one moment.
  for (let i = 0; i < 600 && (await proxied()).requests < CLIENTS; i++) await new Promise((r) => setTimeout(r, 50))
  t.equal((await proxied()).requests, CLIENTS, 'every request is waiting at the gateway')
  root.open()
  let settled = false
  const all = Promise.all(answers).finally(() => (settled = true))
  while (!settled) {
    peakBytes = Math.max(peakBytes, (await proxied()).bytes)
    await new Promise((r) => setTimeout(r, 20))
  }
  const got = await all
  const growth = (memory(proc.pid!, 'VmHWM') - before) / MiB

  t.same(new Set(got.map((g) => g.status)), new Set([200]), 'every client got 200')
  t.same(new Set(got.map((g) => g.bytes)).size, 1, 'and the same whole document')
  t.comment(`the gateway's RSS grew by ${growth.toFixed(0)} MiB at its peak, sending ${CLIENTS} × ${SIZE / MiB} MiB; ${(peakBytes / MiB).toFixed(0)} MiB held at most`)
  t.ok(peakBytes <= MAX_BYTES, 'the bytes held never passed npm.proxy.maxBytes')
  t.ok(growth < (CLIENTS * SIZE) / MiB / 4, `the gateway's RSS grew by far less than ${CLIENTS} copies (${growth.toFixed(0)} MiB)`)
})
