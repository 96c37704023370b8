import { timingSafeEqual, createHash } from 'node:crypto'
import { inspect } from 'node:util'

export const REDACTED = '[redacted]'
/** Characters in an issued key (ISSUED_KEY: `fgk_`, 16 hex, `_`, 43 base64url). */
const ISSUED_KEY_LENGTH = 4 + 16 + 1 + 43

/**
 * Every secret value the process has loaded, so that text bound for a log or a client can be scrubbed;
 * longest first, so a secret that holds a shorter one is replaced whole, not around the shorter one.
 */
let known: string[] = []
/** `known` as UTF-8, searched in bytes as they are (Buffer#includes with a string encodes it at each call). */
let knownBytes: Buffer[] = []
/**
 * The fewest UTF-16 units any secret takes (an issued key's shape included): shorter text holds none, and
 * fewer bytes neither (a unit takes at least one byte in UTF-8).
 */
let shortest = ISSUED_KEY_LENGTH
/** Grows whenever `known` does, so a cache of scrubbed text knows when it must start again. */
let generation = 0

function remember(value: string): void {
  if (value.length < 4 || known.includes(value)) return
  known = [...known, value].sort((a, b) => b.length - a.length)
  knownBytes = known.map((k) => Buffer.from(k))
  shortest = Math.min(shortest, value.length)
  generation++
}

/** Changes whenever a secret is added: text scrubbed under an older generation may hold the new one. */
export function secretsGeneration(): number {
  return generation
}

/**
 * A key or token read from the environment or a file. It prints as [redacted] however it is logged
 * (toString, JSON, util.inspect), so a config object or an error that carries one cannot leak it.
 */
export class Secret {
  readonly #value: string
  constructor(
    value: string,
    /** Where it came from (env:NAME or file:path): safe to show. */
    readonly source: string,
    /** The file to re-read on rotation, when it came from one. */
    readonly file?: string,
  ) {
    this.#value = value
    remember(value)
  }
  reveal(): string {
    return this.#value
  }
  /** Constant-time comparison, for tokens presented by callers. */
  matches(candidate: string): boolean {
    return constantTimeEqual(this.#value, candidate)
  }
  toString(): string {
    return REDACTED
  }
  toJSON(): string {
    return REDACTED
  }
  [inspect.custom](): string {
    return REDACTED
  }
}

/** For secrets loaded from configured files (tokens); issued keys need no registration (ISSUED_KEY). */
export function registerSecret(value: string): void {
  remember(value)
}

/** Compares through fixed-length digests so neither the content nor the length leaks through timing. */
export function constantTimeEqual(a: string, b: string): boolean {
  const da = createHash('sha256').update(a).digest()
  const db = createHash('sha256').update(b).digest()
  return timingSafeEqual(da, db) && a.length === b.length
}

/**
 * The keys a site issues (`fgk_<16 hex id>_<43 base64url secret>`, plugins/hub/keys.ts). They are scrubbed
 * by this shape, so issuing one (over HTTP, any number of times) remembers nothing for the process's life.
 */
export const ISSUED_KEY = /fgk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}/g
const ISSUED_KEY_PREFIX = 'fgk_'
const ISSUED_KEY_PREFIX_BYTES = Buffer.from(ISSUED_KEY_PREFIX)

/** Replaces any loaded secret and any issued key in text bound for a log line or a client; the last line of defence. */
export function scrubSecrets(text: string): string {
  // Most text a response head or a log passes here is shorter than any secret (a header value, a field).
  if (text.length < shortest) return text
  for (const s of known) if (text.includes(s)) text = text.split(s).join(REDACTED)
  if (text.includes(ISSUED_KEY_PREFIX)) text = text.replace(ISSUED_KEY, REDACTED)
  return text
}

/** scrubSecrets for bytes: the same bytes when they hold nothing to scrub (nearly always), searched as they are. */
export function scrubSecretBytes(bytes: Buffer): Buffer {
  if (bytes.length < shortest || (!knownBytes.some((s) => bytes.includes(s)) && !bytes.includes(ISSUED_KEY_PREFIX_BYTES))) return bytes
  return Buffer.from(scrubSecrets(bytes.toString()))
}
