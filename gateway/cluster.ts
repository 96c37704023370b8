// `workers: N`: N processes serve the site's listeners (node:cluster; the primary hands each new
// connection to one worker in turn) and this primary only supervises them. Each worker is a whole
// gateway (startGateway); what must run once per site (sync, collection, the change stream) is decided
// among them by the sync lease in the index (plugins/sync/leader.ts), as it is among nodes.
import cluster, { type Worker } from 'node:cluster'
import { availableParallelism } from 'node:os'
import { logConfigWarnings, type SiteConfig } from './config/load.ts'
import { createLogger, exitAfterLog, stdoutDestination } from './log.ts'
import { ensureSiteCertificates } from './tls/certificates.ts'
import { WORKER_SLOT_ENV } from './util/worker-slot.ts'
import { gatherWorkersMetrics } from './metrics/workers.ts'

/** How many processes `workers` asks for: `auto` is one per core. */
export function workerCount(setting: number | 'auto'): number {
  return setting === 'auto' ? Math.max(1, availableParallelism()) : setting
}

/** A worker that dies this soon after it started waits this long before its replacement starts (no crash loop). */
const QUICK_DEATH_MS = 5000
const RESPAWN_DELAY_MS = 1000
/** A replacement that cannot start is tried again after a wait doubling from RESPAWN_DELAY_MS up to this. */
const RESPAWN_DELAY_MAX_MS = 30_000

/**
 * Runs as the cluster's primary until SIGTERM/SIGINT: forks `count` workers, replaces any that dies
 * (the others and their connections are untouched), passes SIGHUP on (certificates reload in every
 * worker, a starting one once it listens), and on SIGTERM stops every worker gracefully, then exits. A
 * worker of the first start that dies before it listened (a port in use, a bad certificate) stops the
 * site, exit 2: a replacement would fail the same way. Once the site serves, a replacement that cannot
 * start (the YAML or a certificate on disk broken since, which the running workers' reload refused) is
 * tried again, later each time, while the others keep serving.
 */
export function runPrimary(config: SiteConfig, count: number): Promise<never> {
  const destination = stdoutDestination()
  const log = createLogger({ level: config.log.level, site: config.site.name, destination }).child({ component: 'primary' })
  const exit = (code: number) => exitAfterLog(destination, code)
  logConfigWarnings(config, log)
  // Before the workers start, so that they do not race to generate the same files.
  ensureSiteCertificates(config, log)

  let stopping = false
  /** The primary's exit code once every worker has ended: 2 when the site stopped because it could not start (as a single process's failed start). */
  let exitCode = 0
  /** `reload`: a SIGHUP came before the worker listened; it is passed on once it does. */
  const started = new Map<Worker, { at: number; ready: boolean; slot: number; reload?: boolean }>()
  /** Slots whose worker has listened once: the site serves there, and a replacement failing to start no longer stops it. */
  const served = new Set<number>()
  /** Per slot, the replacements in a row that died before they listened (their wait doubles). */
  const failedStarts = new Map<number, number>()
  const fork = (slot: number) => {
    const w = cluster.fork({ [WORKER_SLOT_ENV]: String(slot) })
    started.set(w, { at: Date.now(), ready: false, slot })
    w.on('message', (m: unknown) => {
      const s = started.get(w)
      if (!s || (m as { fedgate?: string })?.fedgate !== 'listening') return
      s.ready = true
      served.add(s.slot)
      failedStarts.delete(s.slot)
      if (s.reload) w.process.kill('SIGHUP')
    })
    w.on('error', () => {}) // an IPC channel closing with its process: 'exit' handles the death
  }

  return new Promise<never>(() => {
    cluster.on('exit', (w, code, signal) => {
      const s = started.get(w)
      started.delete(w)
      if (stopping) {
        if (started.size === 0) {
          log.info('stopped: every worker has ended')
          exit(exitCode)
        }
        return
      }
      if (s && !s.ready && served.has(s.slot)) {
        const failed = (failedStarts.get(s.slot) ?? 0) + 1
        failedStarts.set(s.slot, failed)
        const wait = Math.min(RESPAWN_DELAY_MS * 2 ** (failed - 1), RESPAWN_DELAY_MAX_MS)
        log.error({ pid: w.process.pid, code, signal, workers: started.size, retryInMs: wait }, 'a replacement worker ended before it listened; the others keep serving, trying again')
        setTimeout(() => stopping || fork(s.slot), wait)
        return
      }
      if (!s?.ready) {
        log.error({ pid: w.process.pid, code, signal }, 'a worker ended before it listened; stopping the site')
        stopping = true
        exitCode = 2
        for (const other of started.keys()) other.process.kill('SIGTERM')
        if (started.size === 0) exit(exitCode)
        return
      }
      const wait = Date.now() - s.at < QUICK_DEATH_MS ? RESPAWN_DELAY_MS : 0
      log.warn({ pid: w.process.pid, code, signal, replacedInMs: wait }, 'a worker ended; starting its replacement')
      setTimeout(() => stopping || fork(s.slot), wait)
    })
    const stop = (signal: string) => {
      if (stopping) return
      stopping = true
      log.info({ signal, workers: started.size }, 'stopping every worker')
      // Each worker stops gracefully on its own SIGTERM (shutdown.grace bounds it).
      for (const w of started.keys()) w.process.kill('SIGTERM')
      if (started.size === 0) exit(0)
    }
    process.on('SIGTERM', () => stop('SIGTERM'))
    process.on('SIGINT', () => stop('SIGINT'))
    process.on('SIGHUP', () => {
      // Not to a worker still starting: it has no SIGHUP handler yet, so the signal would kill it, and a
      // death before listening stops the site. It may have read the old certificates: it reloads once it listens.
      for (const [w, s] of started) {
        if (s.ready) w.process.kill('SIGHUP')
        else s.reload = true
      }
    })
    // A worker's /metrics is every ready worker's, gathered here (metrics/workers.ts).
    gatherWorkersMetrics(() => [...started].filter(([, s]) => s.ready).map(([w]) => w))
    for (let i = 0; i < count; i++) fork(i)
    log.info({ workers: count, pid: process.pid }, 'fedgate primary: workers starting')
  })
}

/** In a worker: tells the primary it listens (a death after this is replaced, not fatal). */
export function reportListening(): void {
  if (cluster.isWorker) process.send?.({ fedgate: 'listening' })
}
