// The request log: one JSON line per request, in the same shape and to the same destination as every
// other pino line, through the same secret scrubber. Its fields are fixed, so the line is built here
// instead of by pino's generic serializer, and lines leave in batches: at the end of the event-loop turn
// when the log was quiet, else at most BATCH_MS after the previous write. On a cache hit, pino's
// per-line serialization, scrubbing and stream write were about 15% of the request's CPU.
import pino, { type Logger, type DestinationStream } from 'pino'
import { scrubSecrets } from './config/secret.ts'

export interface RequestFields {
  method: string
  path: string
  status: number
  ms: number
  route?: string
  upstream?: string
  cache?: string
  error?: string
}

/** A batch is written at once past this size, without waiting. */
const FLUSH_AT = 64 * 1024
/** Under load, at most one write per this many milliseconds. */
const BATCH_MS = 10

export class RequestLog {
  readonly #log: Logger
  readonly #stream: DestinationStream
  /** `,"site":"…"`: the logger's bindings, as pino writes them after the time. */
  readonly #bindings: string
  #pending = ''
  #scheduled = false
  #lastFlush = 0

  constructor(log: Logger) {
    this.#log = log
    this.#stream = (log as unknown as Record<symbol, DestinationStream>)[pino.symbols.streamSym]!
    this.#bindings = (log as unknown as Record<symbol, string>)[pino.symbols.chindingsSym] ?? ''
  }

  write(f: RequestFields): void {
    if (!this.#log.isLevelEnabled('info')) return
    let line = `{"level":"info","time":${Date.now()}${this.#bindings},"method":${JSON.stringify(f.method)},"path":${JSON.stringify(f.path)},"status":${f.status},"ms":${f.ms}`
    if (f.route !== undefined) line += `,"route":${JSON.stringify(f.route)}`
    if (f.upstream !== undefined) line += `,"upstream":${JSON.stringify(f.upstream)}`
    if (f.cache !== undefined) line += `,"cache":${JSON.stringify(f.cache)}`
    if (f.error !== undefined) line += `,"error":${JSON.stringify(f.error)}`
    this.#pending += line + ',"msg":"request"}\n'
    if (this.#pending.length >= FLUSH_AT) this.flush()
    else if (!this.#scheduled) {
      this.#scheduled = true
      const wait = this.#lastFlush + BATCH_MS - performance.now()
      if (wait <= 0) setImmediate(this.flush)
      else setTimeout(this.flush, wait)
    }
  }

  /** Writes what is pending now (also called when the gateway stops). */
  readonly flush = (): void => {
    this.#scheduled = false
    if (!this.#pending) return
    this.#lastFlush = performance.now()
    const text = this.#pending
    this.#pending = ''
    this.#stream.write(scrubSecrets(text))
  }
}
