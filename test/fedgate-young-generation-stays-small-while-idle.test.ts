// `fedgate` (bin.mjs, the compiled dist/ that `npm test` builds first) holds V8's young generation at its
// first size while the site loads and idles: left to V8, loading alone grows it (≈ 10 MiB of an idle
// site's RSS, docs/benchmarks.md, startup). Read from the site's own /metrics (prom-client's heap-space
// gauges): the first size (HELD below) for `fedgate start`; more when the user gives V8's own growth factor,
// a young-generation flag of theirs winning. (Growing again once busy depends on the rate a machine
// allocates at, so the forward and startup benches measure that half, not a test.)
import t from 'tap'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { request } from 'undici'
import { tempDir } from './helpers/sites.ts'
import { startProcess } from './helpers/process.ts'

const BIN = fileURLToPath(new URL('../gateway/cli/bin.mjs', import.meta.url))
/** Two semi-spaces of 1 MiB: V8's first young generation on 64-bit. */
const FIRST_SIZE = 2 * 1024 * 1024
/**
 * Under tap, every child process first loads tap's process-info hooks (put back into NODE_OPTIONS
 * whatever the spawn asks), before bin.mjs can set its flag: that may grow it once, to 4 MiB. Left to
 * V8, loading the gateway takes it to 32 MiB.
 */
const HELD = 2 * FIRST_SIZE

async function youngGeneration(metricsPort: number): Promise<number> {
  const res = await request(`http://127.0.0.1:${metricsPort}/metrics`)
  const text = await res.body.text()
  const m = /^fedgate_nodejs_heap_space_size_total_bytes\{space="new"\} (\d+)$/m.exec(text)
  if (!m) throw new Error('no new-space gauge in /metrics')
  return Number(m[1])
}

t.test('fedgate keeps the young generation at its first size while a site starts and idles; a flag of the user\'s own wins', async (t) => {
  const dir = tempDir(t)
  const yaml = (name: string) => {
    writeFileSync(join(dir, `${name}.yaml`), `site: { name: ${name}, role: root }\nlisten:\n  https: { host: 127.0.0.1, port: 0 }\ntls: { dir: certs, watch: false }\nmetrics:\n  listen: { host: 127.0.0.1, port: 0 }\n`)
    return join(dir, `${name}.yaml`)
  }
  const held = await startProcess(t, yaml('held'), { program: [BIN], cwd: dir })
  const own = await startProcess(t, yaml('own'), { program: ['--semi-space-growth-factor=2', BIN], cwd: dir })
  const port = (p: typeof held) => p.lines.find((l) => l.msg === 'fedgate listening')!.metrics as number

  const heldSize = await youngGeneration(port(held))
  t.ok(heldSize <= HELD, `fedgate start: the young generation stays at its first size (${heldSize} bytes, at most ${HELD})`)
  const ownSize = await youngGeneration(port(own))
  t.ok(ownSize > HELD, `with the user's --semi-space-growth-factor=2, V8 grew it while loading (${ownSize} bytes)`)
})
