// Runs autocannon against one URL and returns the figures the tables print. The load generator runs in
// its own process by default: on a 2-core machine that gives it one core and the servers under test the
// other, instead of all three sharing one event loop (see bench/forward.ts for the measurements).
import { fork, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'

export interface LoadOptions {
  url: string
  /** Seconds of load, after warm-up. */
  duration: number
  connections: number
  /** Seconds of unmeasured load first (JIT, keep-alive pools, TLS sessions). */
  warmup?: number
  /** Hard cap on requests, so no run is unbounded even if the clock misbehaves. */
  maxRequests?: number
  /** TLS SNI name; autocannon itself never verifies certificates, which suits a load generator. */
  servername?: string
  headers?: Record<string, string>
  /** Fixed request rate over all connections (req/s), to compare CPU per request at equal load. */
  overallRate?: number
}

export interface LoadResult {
  rps: number
  p50: number
  p99: number
  /** Connection errors and timeouts. */
  errors: number
  /** Responses outside 2xx: a proxy answering 502 fast must not look fast. */
  non2xx: number
  requests: number
}

export type LoadPlacement = 'process' | 'inline'

/** One measured run (after an optional warm-up), in a child process unless placement is 'inline'. */
export async function measure(o: LoadOptions, placement: LoadPlacement = 'process'): Promise<LoadResult> {
  return placement === 'inline' ? measureHere(o) : measureInChild(o)
}

export async function measureHere(o: LoadOptions): Promise<LoadResult> {
  if (o.warmup) await once({ ...o, duration: o.warmup })
  return once(o)
}

function once(o: LoadOptions): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const inst = autocannon(
      {
        url: o.url,
        connections: o.connections,
        duration: o.duration,
        maxOverallRequests: o.maxRequests ?? 5_000_000,
        servername: o.servername,
        headers: o.headers,
        overallRate: o.overallRate,
        timeout: 10,
      },
      (err: Error | null, r: autocannon.Result) => {
        if (err) return reject(err)
        resolve({
          rps: r.requests.average,
          p50: r.latency.p50,
          p99: r.latency.p99,
          errors: r.errors + r.timeouts,
          non2xx: r.non2xx,
          requests: r.requests.total,
        })
      },
    )
    inst.on('error', () => {}) // reported through the callback
  })
}

const CHILD = fileURLToPath(new URL('./load-child.ts', import.meta.url))
let child: ChildProcess | undefined

// One load-generator process for the whole bench (starting one through tsx costs a second or more).
function loadProcess(): ChildProcess {
  if (child && child.exitCode === null && child.connected) return child
  const c = fork(CHILD, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  c.on('error', () => {}) // surfaced as the run's 'exit' below
  c.unref()
  ;(c as unknown as { channel?: { unref(): void } }).channel?.unref() // never keeps the bench alive
  child = c
  return c
}

function measureInChild(o: LoadOptions): Promise<LoadResult> {
  const c = loadProcess()
  return new Promise((resolve, reject) => {
    // Bounded in time even if autocannon hangs: its own duration plus a margin.
    const limit = setTimeout(() => c.kill('SIGKILL'), ((o.warmup ?? 0) + o.duration + 20) * 1000)
    const done = (err?: Error, r?: LoadResult) => {
      clearTimeout(limit)
      c.off('message', onMessage)
      c.off('exit', onExit)
      if (err) reject(err)
      else resolve(r!)
    }
    const onMessage = (m: { result?: LoadResult; error?: string }) => done(m.error ? new Error(m.error) : undefined, m.result)
    const onExit = (code: number | null, signal: string | null) => done(new Error(`load generator exited (${signal ?? code}) without a result`))
    c.on('message', onMessage)
    c.on('exit', onExit)
    c.send(o)
  })
}
