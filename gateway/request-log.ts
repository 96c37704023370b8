// The request log: one JSON line per request, in the same shape and to the same destination as every
// other pino line, through the same secret scrubber. Its fields are fixed, so the line is written here
// instead of through pino's generic serializer, and lines leave in batches, one scrub and one write each:
// at the end of the event-loop turn when the log was quiet, else at most BATCH_MS after the previous
// write. A write costs about 30 µs of CPU here whatever its size, a tenth of a request's time when a
// batch held a turn's few lines (forward bench profile, 2026-12-04).
import type { Logger } from 'pino'
import { scrubSecretBytes } from './config/secret.ts'
import type { LogDestination } from './log.ts'

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

/** Under load, at most one write per this many milliseconds. */
const BATCH_MS = 10
/** A batch is written at once past this many bytes, without waiting. Unbounded batches of several
 * hundred KB lost lines in log-request-lines-reach-file-whole (cause not found; the old log had this bound). */
const BATCH_BYTES = 64 * 1024
/** A batch's buffer: room for one more line of up to 16 KiB after BATCH_BYTES. */
const BATCH_ROOM = BATCH_BYTES + 48 * 1024

const json = JSON.stringify
/** `make(value)`, made once per value: for fields that take one of a few values (a method, a plugin's
 * route, the site's root, a cache verdict, a catalogue code). Bounded all the same: a client or a plugin
 * may put anything there. */
function madeOnce(make: (value: string) => string): (value: string) => string {
  const made = new Map<string, string>()
  return (value) => {
    let text = made.get(value)
    if (text === undefined) {
      text = make(value)
      if (made.size < 256) made.set(value, text)
    }
    return text
  }
}
/** `,"<name>":<JSON value>` for the route, upstream, cache and error fields; nothing when absent. */
function optionalField(name: string): (value: string | undefined) => string {
  const field = madeOnce((value) => `,"${name}":${json(value)}`)
  return (value) => (value === undefined ? '' : field(value))
}
const methodJson = madeOnce(json)
/** What JSON.stringify escapes in a string: `"`, `\\`, control characters, lone surrogates. */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/
/** A string as JSON. JSON.stringify runs in V8's C++ runtime, a quarter of a line's cost (profile of the
 * hit bench, 2026-12-05); a path that needs no escaping, nearly every one, is only quoted. */
function jsonString(s: string): string {
  return NEEDS_ESCAPE.test(s) ? json(s) : `"${s}"`
}
/** Hundredths of a millisecond as a JSON number, the text `Math.round(ms * 100) / 100` prints, made from
 * integers (whose text V8 caches) rather than a fraction's shortest decimal form. */
function hundredths(ms: number): string {
  const h = Math.round(ms * 100)
  const whole = Math.trunc(h / 100)
  const frac = h - whole * 100
  if (frac === 0) return `${whole}`
  return frac % 10 === 0 ? `${whole}.${frac / 10}` : `${whole}.${frac < 10 ? '0' : ''}${frac}`
}
const routeField = optionalField('route')
const upstreamField = optionalField('upstream')
const cacheField = optionalField('cache')
const errorField = optionalField('error')

/** A line's text before its status: `,"method":…,"path":…,"status":`. */
function headOf(r: LoggedRequest): string {
  return `,"method":${methodJson(r.method)},"path":${jsonString(r.path || '(refused)')},"status":`
}
/** A line's text after its duration: the optional fields and the message, to the newline. */
function tailOf(r: LoggedRequest): string {
  return `${routeField(r.route)}${upstreamField(r.upstream)}${cacheField(r.cache)}${errorField(r.error)},"msg":"request"}\n`
}

export class RequestLog {
  /** `,"site":"…"`: the logger's bindings, as pino writes them after the time. */
  readonly #bindings: string
  /** Lines not yet written, as the bytes they are written in: `#bytes[0, #used)`. Made once (a line's
   * text goes straight into it), where batches of strings were joined and then encoded, twice. */
  #bytes = Buffer.allocUnsafe(BATCH_ROOM)
  #used = 0
  /** Where the batch's current piece starts; `#cuts` are the ends of its earlier pieces (with a maxWrite). */
  #pieceStart = 0
  #cuts: number[] = []
  #lastFlush = 0
  /** Head and tail of frozen requests' lines: a hot answer's lines differ only in time, status and ms. */
  readonly #frozen = new WeakMap<LoggedRequest, { head: string; tail: string }>()

  /** Each write holds whole lines and at most this many bytes: the destination's bound (a worker's stdout). */
  private readonly maxWrite: number | undefined

  constructor(
    private readonly log: Logger,
    /** Where `log` writes; it takes bytes (log.ts, LogDestination). */
    private readonly destination: LogDestination,
  ) {
    this.maxWrite = destination.maxWrite
    const bindings = json(log.bindings())
    this.#bindings = bindings === '{}' ? '' : ',' + bindings.slice(1, -1)
  }

  /**
   * @param r a frozen `r` (a hot answer's, shared by all its repeats) has its text made once
   * @param ms how long the request took, logged in hundredths of a millisecond
   */
  write(r: LoggedRequest, status: number, ms: number): void {
    if (!this.log.isLevelEnabled('info')) return
    const f = Object.isFrozen(r) ? this.#frozenText(r) : undefined
    const line = `{"level":"info","time":${Date.now()}${this.#bindings}${f ? f.head : headOf(r)}${status},"ms":${hundredths(ms)}${f ? f.tail : tailOf(r)}`
    // A UTF-8 character takes at most 3 bytes per UTF-16 unit: bounding by that spares measuring the line.
    if (this.#used + line.length * 3 > BATCH_ROOM) {
      this.flush()
      // A line longer than a whole batch (a very long path) is written alone.
      if (line.length * 3 > BATCH_ROOM) return void this.destination.write(scrubSecretBytes(Buffer.from(line)))
    }
    const at = this.#used
    this.#used += this.#bytes.write(line, at)
    if (this.maxWrite !== undefined && this.#used - this.#pieceStart > this.maxWrite && at > this.#pieceStart) this.#cuts.push((this.#pieceStart = at))
    if (this.#used >= BATCH_BYTES) this.flush()
    else if (at === 0) {
      const wait = this.#lastFlush + BATCH_MS - performance.now()
      if (wait <= 0) setImmediate(this.flush)
      else setTimeout(this.flush, wait)
    }
  }

  #frozenText(r: LoggedRequest): { head: string; tail: string } {
    let f = this.#frozen.get(r)
    if (f === undefined) this.#frozen.set(r, (f = { head: headOf(r), tail: tailOf(r) }))
    return f
  }

  /** Writes the pending lines now (also when the gateway stops); scrubbed together, they lose every
   * secret each would lose alone. With a maxWrite, in pieces of whole lines, each within it. */
  readonly flush = (): void => {
    if (this.#used === 0) return
    this.#lastFlush = performance.now()
    // The destination may still hold the batch when this returns (an asynchronous write): a new one.
    const bytes = this.#bytes
    const ends = [...this.#cuts, this.#used]
    this.#bytes = Buffer.allocUnsafe(BATCH_ROOM)
    this.#used = this.#pieceStart = 0
    this.#cuts = []
    let from = 0
    for (const end of ends) {
      this.destination.write(scrubSecretBytes(bytes.subarray(from, end)))
      from = end
    }
  }
}
