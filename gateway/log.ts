import cluster from 'node:cluster'
import { fstatSync, writeSync } from 'node:fs'
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


/**
 * Where the log goes: pino's lines (strings) and the request log's batches (bytes, request-log.ts). A
 * Writable (tests) takes both too.
 */
export interface LogDestination extends DestinationStream {
  write(chunk: string | Uint8Array): void
  /** The most one write may hold, in whole lines (a worker's standard output: ATOMIC_WRITE); none when absent. */
  readonly maxWrite?: number
  /** Writes what is pending, then closes (a file made for a demo or a bench). */
  end?(): void
  /**
   * Before the process exits: resolves once what is pending has been written, or, when the reader has
   * gone (a broken pipe) or takes nothing within `withinMs`, drops it. At exit, pino's destination
   * (sonic-boom 4) writes what is left synchronously and retries a failed write for ever, 100 ms at a
   * time: a site whose standard output nobody read any more never ended on SIGTERM.
   */
  finish?(withinMs: number): Promise<void>
}

/**
 * A file or descriptor, written in batches of bytes: pino's own destination (sonic-boom) in its buffer
 * mode, since its text mode measures each batch twice and encodes it again after writing it (320 ns a
 * request line against 225). A regular file is written synchronously, as nginx writes its access log: a
 * write to the page cache costs less CPU than handing it to another thread (100 ns a line; measured with
 * 64 KiB batches, 2026-12-05). Anything else (a pipe, a terminal) is written asynchronously, so that a
 * slow reader cannot stop the event loop.
 */
export function logDestination(dest: number | string, maxWrite?: number): LogDestination {
  const sync = typeof dest === 'number' ? isRegularFile(dest) : true
  const boom = pino.destination({ dest, sync, contentMode: 'buffer', mkdir: typeof dest === 'string', ...(maxWrite === undefined ? {} : { maxWrite }) })
  // Bytes handed to sonic-boom and not yet written ('write' says how many each write took): its own
  // flush() called back while a write was still retrying, so finish() counts for itself.
  let pending = 0
  /** A write failed: the log is dropped from then on. */
  let broken = false
  /** A finish() waiting for the pending bytes. */
  let finishing: (() => void) | undefined
  boom.on('write', (n: number) => (pending -= n) <= 0 && finishing?.())
  // A write error (a terminal hung up: EIO; a reader gone: EPIPE; a full disk) must not end the site, and,
  // left in the destination, the exit's synchronous write retries it for ever, 100 ms at a time: the site
  // hung with its port open. Destroyed, the destination leaves nothing to that write (stdout stays open).
  boom.on('error', (err: NodeJS.ErrnoException) => {
    if (broken) return
    broken = true
    boom.destroy()
    try {
      writeSync(2, `fedgate: the log cannot be written (${err.code ?? err.message}): its lines are dropped from now on\n`)
    } catch {} // standard error is gone too (the same terminal)
    finishing?.()
  })
  return {
    write: (chunk: string | Uint8Array) => {
      if (broken) return
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
      pending += bytes.length
      boom.write(bytes as never)
    },
    maxWrite,
    end: () => {
      if (!broken) boom.end()
    },
    finish: (withinMs) =>
      new Promise<void>((resolve) => {
        if (broken || pending <= 0) return resolve()
        const timer = setTimeout(() => {
          boom.destroy() // a reader that takes nothing: its lines are dropped, as above
          finishing?.()
        }, withinMs)
        finishing = () => {
          clearTimeout(timer)
          finishing = undefined
          resolve()
        }
      }),
  }
}

/** After a stop, how long the log's last lines may take to reach a slow reader before the process exits anyway. */
const LOG_FINISH_MS = 2000

/** Exits with `code` once `destination` has written its last lines, or dropped them (LogDestination.finish). */
export function exitAfterLog(destination: LogDestination, code: number): void {
  void (destination.finish?.(LOG_FINISH_MS) ?? Promise.resolve()).then(() => process.exit(code))
}

function isRegularFile(fd: number): boolean {
  try {
    return fstatSync(fd).isFile()
  } catch {
    return false // closed (`fedgate start >&-`): pino's destination reports that as it writes
  }
}

/** Standard output (logDestination); in a worker, no write beyond ATOMIC_WRITE. */
export function stdoutDestination(): LogDestination {
  return logDestination(1, cluster.isWorker ? ATOMIC_WRITE : undefined)
}
