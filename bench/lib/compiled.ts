// The gateway as users run it: the compiled JavaScript in dist/ (built here first, so a bench never
// measures stale output), started as its own process, timed from spawn to its first answer.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { closeSync, openSync, readFileSync, readSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Agent, request } from 'undici'
import { statCpu } from './proc-stat.ts'
import { onJsonLines, parseJsonLine } from '../../test/helpers/json-lines.ts'

const REPO = fileURLToPath(new URL('../..', import.meta.url))
/** dist/'s entry point: what `fedgate` (gateway/cli/bin.mjs) imports. */
export const COMPILED_MAIN = fileURLToPath(new URL('../../dist/gateway/cli/main.cjs', import.meta.url))
/** `fedgate` itself (package.json's bin): sets its V8 flags, then imports COMPILED_MAIN. */
export const FEDGATE_BIN = fileURLToPath(new URL('../../gateway/cli/bin.mjs', import.meta.url))

/** `npm run build` (gateway/build/build.mjs: the bundle); returns `fedgate`'s path (FEDGATE_BIN). */
export function buildCompiled(): string {
  execFileSync(process.execPath, ['gateway/build/build.mjs'], { cwd: REPO, stdio: 'inherit' })
  return FEDGATE_BIN
}

/** `fedgate <args>` from dist/, waited for; its stdout. */
export function fedgateCompiled(args: string[], cwd: string): string {
  return execFileSync(process.execPath, [COMPILED_MAIN, ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
}

export interface ServerProcess {
  proc: ChildProcess
  https: number
  http?: number
  /** ms from spawn to the first answer to GET /health. */
  firstAnswerMs: number
  /** CPU ms (user + system) the process spent until then: what a loaded machine inflates least. */
  firstAnswerCpuMs: number
  /** JSON log lines seen so far. */
  lines: Record<string, unknown>[]
  /** Resident set size now (VmRSS), bytes. */
  rss(): number
  /** Resolves at the first log line `match` accepts (bounded: 60 s). */
  waitForLine(match: (l: Record<string, unknown>) => boolean): Promise<void>
  stop(): Promise<void>
}

/**
 * Spawns `node <args>` in cwd; once it prints `fedgate listening` with its port, asks GET `path` (default
 * /health) over HTTPS (trusting `ca`) and times spawn → answer. Bounded: 30 s to listen. With `logFile`
 * its stdout goes to that file, read only up to the listening line: `lines` and `waitForLine` then see
 * nothing later.
 */
export async function startTimed(args: string[], o: { cwd: string; ca: string; path?: string; logFile?: string }): Promise<ServerProcess> {
  const t0 = performance.now()
  // To a file, a site's log under load costs this process nothing: it is read only until the site listens.
  const out = o.logFile === undefined ? 'pipe' : openSync(o.logFile, 'w')
  const proc = spawn(process.execPath, args, { cwd: o.cwd, stdio: ['ignore', out, 'inherit'] })
  if (typeof out === 'number') closeSync(out)
  const exited = new Promise<void>((r) => proc.once('exit', () => r()))
  const lines: Record<string, unknown>[] = []
  const waiters: { match: (l: Record<string, unknown>) => boolean; done: () => void }[] = []
  const each = (line: Record<string, unknown>) => {
    lines.push(line)
    for (const w of [...waiters]) {
      if (!w.match(line)) continue
      waiters.splice(waiters.indexOf(w), 1)
      w.done()
    }
  }
  if (o.logFile === undefined) onJsonLines(proc.stdout!, each)
  else followUntilListening(o.logFile, each, exited)
  const waitForLine = (match: (l: Record<string, unknown>) => boolean) =>
    new Promise<void>((resolve, reject) => {
      if (lines.some(match)) return resolve()
      const timer = setTimeout(() => reject(new Error(`no such log line within 60 s: ${JSON.stringify(lines.slice(-3))}`)), 60_000)
      waiters.push({ match, done: () => (clearTimeout(timer), resolve()) })
    })
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM')
    await exited
  }
  try {
    const listening = await Promise.race([
      waitForLine((l) => l.msg === 'fedgate listening'),
      exited.then(() => Promise.reject(new Error(`${args.join(' ')} exited before listening: ${JSON.stringify(lines.slice(-3))}`))),
    ]).then(() => lines.find((l) => l.msg === 'fedgate listening')!)
    const agent = new Agent({ connect: { ca: o.ca } })
    const res = await request(`https://127.0.0.1:${listening.https}${o.path ?? '/health'}`, { dispatcher: agent })
    await res.body.text()
    const firstAnswerMs = performance.now() - t0
    const cpu = statCpu(`/proc/${proc.pid}/stat`)
    await agent.close()
    if (res.statusCode !== 200) throw new Error(`GET ${o.path ?? '/health'}: ${res.statusCode}`)
    const rss = () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${proc.pid}/status`, 'utf8'))![1]) * 1024
    return { proc, https: listening.https as number, http: listening.http as number | undefined, firstAnswerMs, firstAnswerCpuMs: (cpu.user + cpu.system) * 1000, lines, rss, waitForLine, stop }
  } catch (err) {
    await stop()
    throw err
  }
}

/** Reads the JSON lines a process writes to `file` until its `fedgate listening` line (or its exit; at most 60 s). */
function followUntilListening(file: string, each: (line: Record<string, unknown>) => void, exited: Promise<void>): void {
  const fd = openSync(file, 'r')
  const buf = Buffer.alloc(64 * 1024)
  let rest = ''
  let over = false
  const stop = () => {
    if (over) return
    over = true
    clearInterval(timer)
    clearTimeout(limit)
    closeSync(fd)
  }
  const timer = setInterval(() => {
    for (let n; !over && (n = readSync(fd, buf)) > 0; ) {
      const text = rest + buf.toString('utf8', 0, n)
      const parts = text.split('\n')
      rest = parts.pop()!
      for (const part of parts) {
        const line = parseJsonLine(part)
        each(line)
        if (line.msg === 'fedgate listening') stop()
      }
    }
  }, 20)
  const limit = setTimeout(stop, 60_000)
  void exited.then(stop)
}
