// npm install of a project with 30 synchronized packages: straight from Verdaccio vs through a fedgate
// child, each with an empty npm cache, then through the child with Verdaccio stopped. Bounded: the
// packages are published once, each setup is installed `rounds` times (default 3), the median counts.
import { barChart, writeChart } from './lib/chart.ts'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { BenchOptions } from './lib/options.ts'
import { project, runNpm, type NpmConfig } from '../test/helpers/npm-client.ts'
import { startNpmStack } from '../test/helpers/npm-stack.ts'
import type { PackageSpec } from '../test/helpers/verdaccio.ts'

const COUNT = 30

export async function run(o: BenchOptions): Promise<void> {
  const rounds = Math.max(1, Math.min(o.rounds ?? 3, 10))
  const dir = mkdtempSync(join(tmpdir(), 'fedgate-bench-npm-'))
  const teardowns: (() => unknown)[] = []
  const t = { teardown: (fn: () => unknown) => void teardowns.push(fn) }
  try {
    const fixtures: PackageSpec[] = Array.from({ length: COUNT }, (_, i) => ({ name: `@bench/p${String(i).padStart(2, '0')}`, version: '1.0.0', padding: 16 * 1024 }))
    console.log(`publishing ${COUNT} packages to Verdaccio and synchronizing them…`)
    const stack = await startNpmStack(t, dir, { packages: ['@bench/*'], fixtures })
    const deps = Object.fromEntries(fixtures.map((f) => [f.name, f.version]))
    let n = 0
    const install = async (cfg: NpmConfig, label: string) => {
      const app = project(join(dir, `app-${n++}`), deps)
      const r = await runNpm(cfg, ['install'], { cwd: app, timeout: 300_000 })
      if (r.code !== 0) throw new Error(`${label}: npm install failed: ${r.stderr}`)
      return r.ms
    }
    const direct: number[] = []
    const gateway: number[] = []
    for (let i = 0; i < rounds; i++) {
      direct.push(await install(stack.root.npm, 'direct'))
      gateway.push(await install(stack.npm, 'gateway'))
    }
    await stack.root.stop()
    const rootDown: number[] = []
    for (let i = 0; i < rounds; i++) rootDown.push(await install(stack.npm, 'gateway, root stopped'))

    const d = median(direct)
    const g = median(gateway)
    const s = median(rootDown)
    console.log(`\nnpm install, ${COUNT} packages, empty npm cache each time, median of ${rounds}\n`)
    console.log('| setup | wall ms | ratio to direct | target |')
    console.log('| --- | --- | --- | --- |')
    console.log(`| straight from Verdaccio | ${Math.round(d)} | 1.00 | |`)
    console.log(`| through fedgate (HTTPS) | ${Math.round(g)} | ${(g / d).toFixed(2)} | ≤ 1.0 ${g / d <= 1 ? 'met' : 'missed'} |`)
    console.log(`| through fedgate, root stopped | ${Math.round(s)} | ${(s / d).toFixed(2)} | ≤ 1.0 ${s / d <= 1 ? 'met' : 'missed'} |`)
    // Drawn as speed (the direct install's time over each one's), so that higher is better as in every chart.
    writeChart('npm', barChart(`npm install of ${COUNT} packages: through fedgate against straight from Verdaccio`, `speed = direct time / time; median of ${rounds}, empty npm cache each time; ${new Date().toISOString().slice(0, 10)}`, [
      { label: 'speed: through fedgate / direct', value: d / g, target: 1 },
      { label: 'speed: through fedgate, root stopped / direct', value: d / s, target: 1 },
    ]))
  } finally {
    for (const fn of teardowns.reverse()) await fn()
    rmSync(dir, { recursive: true, force: true })
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]!
}
