// The request log: one JSON line per request, in the same shape and to the same destination as every
// other pino line, each value through the same secret scrubber. Its fields are fixed, so the line is
// built here instead of by pino's generic serializer, and lines leave in batches: at the end of the
// event-loop turn when the log was quiet, else at most BATCH_MS after the previous write. On a cache hit,
// pino's per-line serialization, scrubbing and stream write were about 15% of the request's CPU.
import pino, { type Logger, type DestinationStream } from 'pino'
import { scrubSecrets, secretsGeneration } from './config/secret.ts'

/** What a line says about a request besides its status and duration (a request's context has these). */
export interface LoggedRequest {
  readonly method: string
  /** Empty when the guard refused the target: logged as `(refused)`. */
  readonly path: string
  readonly route?: string
  readonly upstream?: string
  readonly cache?: string
  readonly error?: string
}

/** A request line's text before and after its time and duration, with the fields it was made from. */
interface LineParts extends LoggedRequest {
  readonly status: number
  /** `,"method":…,"path":…,"status":…,"ms":` */
  readonly head: string
  /** `,"route":…` and the other fields present, then `,"msg":"request"}` and the newline. */
  readonly tail: string
}

/** A batch is written at once past this size, without waiting. */
const FLUSH_AT = 64 * 1024
/** Under load, at most one write per this many milliseconds. */
const BATCH_MS = 10
/**
 * Most values repeat (methods, routes, error codes, a site's hot paths), so their scrubbed JSON form is
 * kept: up to this many, each at most FIELD_MEMO_CHARS long; the memo starts again when full.
 */
const FIELD_MEMO = 1024
const FIELD_MEMO_CHARS = 512
/**
 * A duration's text by hundredths of a millisecond, made once each up to 100 ms: formatting a fraction
 * took V8 700-1,000 instructions a line, and most requests take one of a few hundred such durations.
 */
const MS_TEXT_MAX = 10_000
/** Filled, not sparse: V8 keeps a sparse array as a dictionary. */
const MS_TEXT: (string | undefined)[] = new Array<string | undefined>(MS_TEXT_MAX).fill(undefined)

export class RequestLog {
  readonly #log: Logger
  readonly #stream: DestinationStream
  /** `,"site":"…"`: the logger's bindings, as pino writes them after the time. */
  readonly #bindings: string
  /** The bindings scrubbed under the current secrets generation. */
  #scrubbedBindings: string
  /** The pieces of the lines not yet written, joined once when written: a string grown line by line
   * is a deep rope that the stream then flattens at a cost of about 0.7 µs per line, and a line made
   * by a template is a small rope of its own. */
  #pending: string[] = []
  #pendingChars = 0
  #scheduled = false
  #lastFlush = 0
  /** value → its JSON string with secrets scrubbed, valid while no secret is added. */
  readonly #fields = new Map<string, string>()
  /** path → the last line parts written for it, valid while no secret is added. */
  readonly #lines = new Map<string, LineParts>()
  /** The last line's parts, looked at before the map: comparing one path costs less than hashing it. */
  #last: LineParts | undefined
  #generation = secretsGeneration()
  /** The last line's time, and the line's opening up to it and the bindings: `{"level":"info","time":…,"site":…`.
   * Under load many lines share one millisecond, so a line is four pieces: opening, head, duration, tail. */
  #now = -1
  #opening = ''

  constructor(log: Logger) {
    this.#log = log
    this.#stream = (log as unknown as Record<symbol, DestinationStream>)[pino.symbols.streamSym]!
    this.#bindings = (log as unknown as Record<symbol, string>)[pino.symbols.chindingsSym] ?? ''
    this.#scrubbedBindings = scrubSecrets(this.#bindings)
  }

  /** @param ms how long the request took, logged in hundredths of a millisecond */
  write(r: LoggedRequest, status: number, ms: number): void {
    if (!this.#log.isLevelEnabled('info')) return
    if (this.#generation !== secretsGeneration()) {
      this.#fields.clear()
      this.#lines.clear()
      this.#last = undefined
      this.#scrubbedBindings = scrubSecrets(this.#bindings)
      this.#generation = secretsGeneration()
      this.#now = -1
    }
    const parts = this.#parts(r, status)
    const now = Date.now()
    if (now !== this.#now) {
      this.#now = now
      this.#opening = `{"level":"info","time":${now}${this.#scrubbedBindings}`
    }
    const h = Math.round(ms * 100)
    const msText = h >= 0 && h < MS_TEXT_MAX ? (MS_TEXT[h] ??= String(h / 100)) : String(h / 100)
    const opening = this.#opening
    this.#pending.push(opening, parts.head, msText, parts.tail)
    this.#pendingChars += opening.length + parts.head.length + msText.length + parts.tail.length
    if (this.#pendingChars >= FLUSH_AT) this.flush()
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
    if (this.#pending.length === 0) return
    this.#lastFlush = performance.now()
    const text = this.#pending.join('')
    this.#pending = []
    this.#pendingChars = 0
    this.#stream.write(text)
  }

  /**
   * The line around its time and duration: a path's requests mostly repeat the same method, status, route
   * and cache answer, so the last such text is kept per path (bounded like the field memo).
   */
  #parts(r: LoggedRequest, status: number): LineParts {
    const path = r.path || '(refused)'
    const last = this.#last !== undefined && this.#last.path === path ? this.#last : this.#lines.get(path)
    if (last !== undefined && last.status === status && last.method === r.method && last.route === r.route && last.upstream === r.upstream && last.cache === r.cache && last.error === r.error) return (this.#last = last)
    let tail = ''
    if (r.route !== undefined) tail += `,"route":${this.#field(r.route)}`
    if (r.upstream !== undefined) tail += `,"upstream":${this.#field(r.upstream)}`
    if (r.cache !== undefined) tail += `,"cache":${this.#field(r.cache)}`
    if (r.error !== undefined) tail += `,"error":${this.#field(r.error)}`
    tail += ',"msg":"request"}\n'
    const parts: LineParts = { method: r.method, path, status, route: r.route, upstream: r.upstream, cache: r.cache, error: r.error, head: `,"method":${this.#field(r.method)},"path":${this.#field(path)},"status":${status},"ms":`, tail }
    if (path.length <= FIELD_MEMO_CHARS) {
      if (this.#lines.size >= FIELD_MEMO) this.#lines.clear()
      this.#lines.set(path, parts)
    }
    return (this.#last = parts)
  }

  /** `value` scrubbed of secrets and JSON-quoted. */
  #field(value: string): string {
    let json = this.#fields.get(value)
    if (json !== undefined) return json
    json = JSON.stringify(scrubSecrets(value))
    if (value.length <= FIELD_MEMO_CHARS) {
      if (this.#fields.size >= FIELD_MEMO) this.#fields.clear()
      this.#fields.set(value, json)
    }
    return json
  }
}
