// A copy of the built program (gateway/cli and dist/, node_modules and plugins linked), so that a test's
// V8 code caches (gateway/cli/load-compiled.mjs) are its own, and `fedgate start` runs of it that report
// what the loader did (NODE_DEBUG=fedgate-code-cache).
import { cpSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Agent, request } from 'undici'
import { tempDir, type TestLike } from './sites.ts'
import { startProcess } from './process.ts'

const REPO = fileURLToPath(new URL('../..', import.meta.url))
/** Bounds the wait for a cache to be written (it is, 2 s after the start). */
const WAIT_MS = 30_000

export interface CompiledCopy {
  /** dist/gateway/cli of the copy: main.cjs and its caches. */
  dist: string
  /** The cache files there now. */
  caches(): string[]
  /** One `fedgate start` of a root: the loader's debug lines and /health's status; with `keeps`, once the cache was written. */
  start(nodeArgs: string[], keeps: boolean): Promise<{ status: number; said: string[] }>
}

export function compiledCopy(t: TestLike): CompiledCopy {
  const copy = tempDir(t)
  mkdirSync(join(copy, 'gateway'))
  cpSync(join(REPO, 'gateway/cli'), join(copy, 'gateway/cli'), { recursive: true })
  cpSync(join(REPO, 'dist'), join(copy, 'dist'), { recursive: true, filter: (f) => !f.endsWith('.v8cache') && !f.endsWith('.tmp') })
  symlinkSync(join(REPO, 'node_modules'), join(copy, 'node_modules'), 'dir')
  symlinkSync(join(REPO, 'plugins'), join(copy, 'plugins'), 'dir')
  const dist = join(copy, 'dist/gateway/cli')
  const site = join(copy, 'site')
  mkdirSync(site)
  writeFileSync(join(site, 'root.yaml'), 'site: { name: root, role: root }\nlisten:\n  https: { host: 127.0.0.1, port: 0 }\ntls: { dir: certs, watch: false }\n')
  const bin = join(copy, 'gateway/cli/bin.mjs')

  async function start(nodeArgs: string[], keeps: boolean) {
    const said: string[] = []
    let kept: () => void = () => {}
    const written = new Promise<void>((r) => (kept = r))
    const gw = await startProcess(t, join(site, 'root.yaml'), {
      program: [...nodeArgs, bin],
      cwd: site,
      env: { NODE_DEBUG: 'fedgate-code-cache' },
      stderr: (line) => {
        const m = /^FEDGATE-CODE-CACHE \d+: (.*)$/.exec(line)
        if (!m) return
        const what = m[1]!
        said.push(what)
        if (what.startsWith('kept') || what.startsWith('not kept')) kept()
      },
    })
    const agent = new Agent({ connect: { ca: readFileSync(join(site, 'certs/ca.crt'), 'utf8') } })
    const res = await request(`${gw.url}/health`, { dispatcher: agent })
    await res.body.text()
    await agent.close()
    if (keeps) {
      const timer = setTimeout(kept, WAIT_MS)
      await written
      clearTimeout(timer)
    }
    await gw.kill()
    return { status: res.statusCode, said }
  }
  return { dist, caches: () => readdirSync(dist).filter((f) => f.endsWith('.v8cache')), start }
}
