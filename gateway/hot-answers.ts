// Hot answers (docs/lifecycle.md, step 1): a route may offer a complete answer (status 200, fixed headers,
// body in memory) as the answer to every later plain GET of the same target, for as long as the route
// says it still holds. The core then repeats it before the guard, routing and the route itself run: a
// synchronized blob's repeated read costs what a bare Node server's answer costs, plus the log line.
// Entries are kept by the target exactly as the client sent it, so only a target that passed the guard
// once can ever be repeated; bounded by bytes (`hotAnswers.bytes`), least recently used first out.
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http'
import { LRUCache } from 'lru-cache'
import type { LoggedRequest } from './request-log.ts'

/**
 * What a route offers. Its contract: the same status, headers and body answer any GET of this target on
 * any listener, whoever asks, whatever request headers it sends other than those `isPlainGet` refuses, as
 * long as `stillHolds()` is true; and `stillHolds()` covers everything the route's `match()` depends on,
 * but the request headers routes declare they match on (`Route.matchHeaders`), which the core compares.
 * Host is such a header: an answer that writes `ctx.publicUrl` (npm packuments) is never offered.
 */
export interface ReusableAnswer {
  readonly headers: OutgoingHttpHeaders
  readonly body: Buffer
  /** Checked before every repeat: false drops the entry and the request takes the whole lifecycle. */
  stillHolds(): boolean
}

/** An offered answer with the request log's fields for its repeats, as the first answer's line had them. */
export interface HotAnswer {
  readonly answer: ReusableAnswer
  readonly logged: LoggedRequest
  readonly routedOn: RoutedOn
}

/**
 * The request headers routing read on its way to the route that answered (its own and those of the routes
 * tried before it: `Route.matchHeaders`), with the values the answered request had (undefined: absent).
 * A repeat needs the same values, else another route may have taken the request (npm's, by Accept).
 */
export interface RoutedOn {
  readonly names: readonly string[]
  readonly values: readonly (string | undefined)[]
}

/** Routing read no header: most answers' (no allocation per offer). */
export const ROUTED_ON_NOTHING: RoutedOn = Object.freeze({ names: [], values: [] })

/** The header values of `req` that routing read, for an offer. At most 31 names (`isPlainGet` keeps a bit each). */
export function routedOn(req: IncomingMessage, names: readonly string[]): RoutedOn {
  if (names.length === 0) return ROUTED_ON_NOTHING
  return Object.freeze({ names, values: names.map((n) => headerOnce(req, n)) })
}

/** The header's one value, or undefined when absent; a header sent twice gets a value no single one equals. */
function headerOnce(req: IncomingMessage, name: string): string | undefined {
  let value: string | undefined
  const raw = req.rawHeaders
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i]!.length !== name.length || raw[i]!.toLowerCase() !== name) continue
    if (value !== undefined) return '\n' // never a raw header value: a repeated header is never repeated to
    value = raw[i + 1]!
  }
  return value
}

/**
 * Request headers that can change an answer or how the request is read: conditionals and ranges, the
 * caller's credentials, a body's framing, upgrades, the client's cache directives (a repeat is a stored
 * answer, and `no-cache` or `max-age=0` take one only once the root confirmed it: RFC 9111 §5.2.1).
 * A request carrying any of them is never repeated.
 */
const REFUSED = new Set([
  'cache-control',
  'pragma',
  'range',
  'if-range',
  'if-match',
  'if-none-match',
  'if-modified-since',
  'if-unmodified-since',
  'authorization',
  'proxy-authorization',
  'x-apikey',
  'cookie',
  'content-length',
  'transfer-encoding',
  'expect',
  'upgrade',
])
/** Their lengths: most headers (Host, User-Agent, Accept-Encoding) are passed over without lower-casing. */
const REFUSED_LENGTH: boolean[] = Array.from({ length: 32 }, (_, n) => [...REFUSED].some((h) => h.length === n))

/**
 * A GET with none of the headers above: an answer offered for its target may answer it, when it has the
 * values of the headers routing read that the answer was made for (`routed`, of a `HotAnswer`).
 */
export function isPlainGet(req: IncomingMessage, routed: RoutedOn = ROUTED_ON_NOTHING): boolean {
  if (req.method !== 'GET') return false
  const { names, values } = routed
  const raw = req.rawHeaders
  let seen = 0 // a bit per name found
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!
    let lower: string | undefined
    if (REFUSED_LENGTH[name.length] === true && REFUSED.has((lower = name.toLowerCase()))) return false
    for (let j = 0; j < names.length; j++) {
      if (names[j]!.length !== name.length || (lower ??= name.toLowerCase()) !== names[j]) continue
      if ((seen & (1 << j)) !== 0 || raw[i + 1] !== values[j]) return false
      seen |= 1 << j
    }
  }
  for (let j = 0; j < names.length; j++) if ((seen & (1 << j)) === 0 && values[j] !== undefined) return false
  return true
}

export class HotAnswers {
  readonly #answers: LRUCache<string, HotAnswer>

  constructor(maxBytes: number) {
    // An entry's weight is its body and target; headers are small and counted as a flat 256.
    this.#answers = new LRUCache<string, HotAnswer>({ maxSize: Math.max(1, maxBytes), sizeCalculation: (e, target) => e.answer.body.length + target.length + 256 })
  }

  /** The answer for this raw target if one was offered and its route says it still holds. */
  get(target: string): HotAnswer | undefined {
    const entry = this.#answers.get(target)
    if (entry === undefined || entry.answer.stillHolds()) return entry
    this.#answers.delete(target)
    return undefined
  }

  offer(target: string, entry: HotAnswer): void {
    this.#answers.set(target, entry)
  }

  /** For /health. */
  stats(): { answers: number; bytes: number } {
    return { answers: this.#answers.size, bytes: this.#answers.calculatedSize }
  }
}
