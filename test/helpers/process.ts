// Real `fedgate start` processes, for tests where a site must die as a process does (SIGKILL) or where
// several processes share a store: started from a YAML file, their JSON log lines kept, killed at teardown.
import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { loadConfigFile } from '../../gateway/config/load.ts'
import { systemClock } from '../../gateway/util/clock.ts'
import { builtinPlugins } from '../../plugins/index.ts'
import { KeyRing } from '../../plugins/hub/keys.ts'
import { openStores } from '../../plugins/hub/store/open.ts'
import type { TestLike } from './sites.ts'
import { onJsonLines } from './json-lines.ts'

// The sources, as every test runs them (`fedgate` itself runs the compiled dist/, which may be stale here).
const MAIN = fileURLToPath(new URL('../../gateway/cli/main.ts', import.meta.url))

export interface SiteProcess {
  proc: ChildProcess
  /** The HTTPS port it listens on. */
  port: number
  url: string
  /** Every log line it wrote to stdout so far, parsed. */
  lines: Record<string, unknown>[]
  /** SIGKILL, resolved once it exited. */
  kill(): Promise<void>
}

/**
 * Starts `fedgate start --config file` (with `o.args`: `--workers 2`, say); resolves once it listens (a
 * worker's first line, with workers), bounded: 30 s, then its log says why. `program`: node's arguments
 * before `start` (default: the sources under tsx), e.g. another copy's bin.mjs. `detached`: in a process group
 * of its own (its pid is the group's id), as a service manager starts it; the teardown kills the whole group.
 * `env`: added to this process's environment. `stderr`: called with each line it writes there (else passed on).
 */
export function startProcess(
  t: TestLike,
  file: string,
  o: { args?: string[]; program?: string[]; cwd?: string; detached?: boolean; env?: NodeJS.ProcessEnv; stderr?: (line: string) => void } = {},
): Promise<SiteProcess> {
  const program = o.program ?? ['--import', 'tsx', MAIN]
  const proc = spawn(process.execPath, [...program, 'start', '--config', file, ...(o.args ?? [])], {
    stdio: ['ignore', 'pipe', o.stderr ? 'pipe' : 'inherit'],
    cwd: o.cwd,
    detached: o.detached,
    env: o.env && { ...process.env, ...o.env },
  })
  if (o.stderr) createInterface({ input: proc.stderr! }).on('line', o.stderr)
  const exited = new Promise<void>((r) => proc.once('exit', () => r()))
  const kill = async () => {
    if (o.detached) {
      try {
        process.kill(-proc.pid!, 'SIGKILL') // workers included, whatever became of the primary
      } catch {} // the group has ended
    } else if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL')
    await exited
  }
  t.teardown(kill)
  const lines: Record<string, unknown>[] = []
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`fedgate did not listen within 30 s: ${JSON.stringify(lines.slice(-5))}`)), 30_000)
    onJsonLines(proc.stdout!, (line) => {
      lines.push(line)
      if (line.msg === 'fedgate listening') {
        clearTimeout(timer)
        const port = line.https as number
        resolve({ proc, port, url: `https://127.0.0.1:${port}`, lines, kill })
      }
    })
    proc.once('exit', (code, signal) => {
      clearTimeout(timer)
      reject(new Error(`fedgate exited (${code ?? signal}) before listening: ${JSON.stringify(lines.slice(-5))}`))
    })
  })
}

/** Creates keys in the store of the site `file` describes, before its process starts (the index is safe across processes). */
export async function keysBefore(file: string, keys: { name: string; scope: 'read' | 'publish' | 'admin'; namespaces?: string[] }[]): Promise<string[]> {
  const stores = await openStores(loadConfigFile(file, builtinPlugins), { follow: false })
  try {
    const ring = new KeyRing(stores.index, systemClock)
    const out: string[] = []
    for (const k of keys) out.push((await ring.create(k)).key)
    return out
  } finally {
    await stores.close()
  }
}
