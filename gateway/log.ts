import cluster from 'node:cluster'
import pino, { type Logger, type DestinationStream } from 'pino'
import { scrubSecrets } from './config/secret.ts'

export type { Logger }

/** JSON lines; every line passes through the secret scrubber before it is written. */
export function createLogger(opts: { level: string; site: string; destination: DestinationStream }): Logger {
  return pino(
    {
      level: opts.level,
      base: { site: opts.site },
      formatters: { level: (label) => ({ level: label }) },
      // Headers are never logged; these paths catch them should an object slip into a log call.
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-apikey"]', 'headers.authorization', 'headers["x-apikey"]', 'headers.cookie'], censor: '[redacted]' },
      hooks: { streamWrite: scrubSecrets },
    },
    opts.destination,
  )
}

/**
 * Bytes a pipe takes in one piece (Linux's PIPE_BUF): writes of several processes to one pipe interleave
 * only beyond it. The workers of a site share their standard output (a pipe under systemd or docker), and
 * their batches of 16-64 KiB tore each other's lines (50 in 235,000 under load).
 */
const ATOMIC_WRITE = 4096

/** The most a write to standard output may hold: ATOMIC_WRITE in a worker, else no bound of ours. */
export function stdoutWriteBound(): number | undefined {
  return cluster.isWorker ? ATOMIC_WRITE : undefined
}

/** Standard output, written asynchronously in batches (pino's own destination); in a worker, no write beyond ATOMIC_WRITE. */
export function stdoutDestination(): DestinationStream {
  const maxWrite = stdoutWriteBound()
  return pino.destination({ dest: 1, sync: false, ...(maxWrite === undefined ? {} : { maxWrite }) })
}
