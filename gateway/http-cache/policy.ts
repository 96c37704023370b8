// RFC 9111 for a shared cache in front of the root: may an answer be stored, for how long is it fresh,
// and for how long may it still be served stale (RFC 5861: stale-while-revalidate, stale-if-error).
// Only what a shared cache must honour is read; the site's defaults fill in what the root left out.
// Every fill is made with the site's key, the same for every client, so the rule for requests carrying
// Authorization (RFC 9111 §3.5) does not apply: what is stored is the site key's view, which every
// client of the site gets anyway when it is forwarded.
import type { IncomingHttpHeaders } from 'node:http'

/** Statuses a cache may store without explicit freshness (RFC 9110 §15.1 "heuristically cacheable"), less 206. */
const CACHEABLE_STATUS = new Set([200, 203, 204, 300, 301, 308, 404, 405, 410, 414, 501])
/** Request headers the gateway replaces (credentials: every read goes with the site's key): varying on them would store one client's view. */
const UNNORMALISED_VARY = new Set(['*', 'authorization', 'proxy-authorization', 'x-apikey', 'cookie'])

export interface CacheDefaults {
  /** Freshness of an answer with no Cache-Control max-age/s-maxage and no Expires, in ms. */
  maxAge: number
  /** How long past its freshness an answer may be served while the root fails, when the root does not say. */
  staleIfError: number
  /** How long past its freshness an answer may be served at once while it is refreshed in the background. */
  staleWhileRevalidate: number
}

export interface Freshness {
  /** ms the answer is fresh for, from when it was received, less its Age. */
  lifetime: number
  staleIfError: number
  staleWhileRevalidate: number
  /** no-cache, must-revalidate or proxy-revalidate: never served stale, never used without revalidation once stale. */
  mustRevalidate: boolean
}

export type Storable = { ok: true; freshness: Freshness; vary: string[] } | { ok: false; reason: string }

export function cacheControl(v: string | string[] | undefined): Map<string, string> {
  const out = new Map<string, string>()
  if (!v) return out
  for (const part of (Array.isArray(v) ? v.join(',') : v).split(',')) {
    const [name, value] = part.split('=', 2).map((s) => s.trim())
    if (name) out.set(name.toLowerCase(), (value ?? '').replace(/^"|"$/g, ''))
  }
  return out
}

function seconds(v: string | undefined): number | undefined {
  if (v === undefined || !/^\d+$/.test(v)) return undefined
  return Math.min(Number(v), 2 ** 31) * 1000
}

/** May this answer to a GET made with the site's key be stored, and how fresh is it? */
export function storable(status: number, headers: IncomingHttpHeaders, defaults: CacheDefaults): Storable {
  if (!CACHEABLE_STATUS.has(status)) return { ok: false, reason: `status ${status}` }
  const cc = cacheControl(headers['cache-control'])
  if (cc.has('no-store')) return { ok: false, reason: 'no-store' }
  if (cc.has('private')) return { ok: false, reason: 'private' }
  if (headers['set-cookie'] !== undefined) return { ok: false, reason: 'set-cookie' }
  const vary = String(headers.vary ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean)
  const bad = vary.find((h) => UNNORMALISED_VARY.has(h))
  if (bad) return { ok: false, reason: `vary: ${bad}` }
  const mustRevalidate = cc.has('no-cache') || cc.has('must-revalidate') || cc.has('proxy-revalidate')
  return { ok: true, vary: [...new Set(vary)].sort(), freshness: { lifetime: mustRevalidate && cc.has('no-cache') ? 0 : lifetime(cc, headers, defaults), staleIfError: seconds(cc.get('stale-if-error')) ?? defaults.staleIfError, staleWhileRevalidate: seconds(cc.get('stale-while-revalidate')) ?? defaults.staleWhileRevalidate, mustRevalidate } }
}

function lifetime(cc: Map<string, string>, headers: IncomingHttpHeaders, defaults: CacheDefaults): number {
  const explicit = seconds(cc.get('s-maxage')) ?? seconds(cc.get('max-age'))
  if (explicit !== undefined) return explicit
  if (headers.expires !== undefined) {
    // Against the root's own Date, so the two clocks are never compared (an invalid Expires is already past).
    const expires = Date.parse(String(headers.expires))
    const date = headers.date ? Date.parse(String(headers.date)) : NaN
    if (Number.isNaN(expires) || Number.isNaN(date)) return 0
    return Math.max(0, expires - date)
  }
  return defaults.maxAge
}

/** What a client's request directives ask of a stored answer (RFC 9111 §5.2.1); times in ms, undefined: not asked. */
export interface ClientAsk {
  /** `no-cache` (0) or `max-age=N`: an entry this old is used only once the root confirmed it. */
  readonly maxAge: number | undefined
  /** `min-fresh=N`: an entry with less freshness left is used only once the root confirmed it. */
  readonly minFresh: number | undefined
  /** `max-stale[=N]`: an entry at most this far past its freshness may be used unconfirmed (no value: Infinity). */
  readonly maxStale: number | undefined
  /** `only-if-cached`: the root is never asked; no usable entry is a 504. */
  readonly onlyIfCached: boolean
}

// A request without Cache-Control or Pragma (most): nothing parsed, nothing allocated. Every ask has all
// four fields in this order, and none is frozen: one object shape where they are read.
const ASKS_NOTHING: ClientAsk = { maxAge: undefined, minFresh: undefined, maxStale: undefined, onlyIfCached: false }
const PRAGMA_NO_CACHE: ClientAsk = { maxAge: 0, minFresh: undefined, maxStale: undefined, onlyIfCached: false }

/**
 * The client's Cache-Control directives a cache honours. An HTTP/1.0 client's `Pragma: no-cache` counts
 * as `no-cache` when it sends no Cache-Control (§5.4). A directive with a value that is not a number of
 * seconds is ignored (max-stale's stays optional).
 */
export function clientAsks(req: IncomingHttpHeaders): ClientAsk {
  if (req['cache-control'] === undefined) return req.pragma !== undefined && cacheControl(req.pragma).has('no-cache') ? PRAGMA_NO_CACHE : ASKS_NOTHING
  const cc = cacheControl(req['cache-control'])
  const maxStale = cc.get('max-stale')
  return {
    maxAge: cc.has('no-cache') ? 0 : seconds(cc.get('max-age')),
    minFresh: seconds(cc.get('min-fresh')),
    maxStale: maxStale === '' ? Infinity : seconds(maxStale),
    onlyIfCached: cc.has('only-if-cached'),
  }
}

/**
 * May a client's max-stale take this answer once it is stale? Not when the root said no-cache,
 * must-revalidate or proxy-revalidate, nor s-maxage, which carries proxy-revalidate for a shared cache
 * (RFC 9111 §5.2.2.10). Read from the stored headers, so entries stored before this rule follow it too.
 */
export function staleForClients(freshness: Freshness, headers: Record<string, string | string[]>): boolean {
  return !freshness.mustRevalidate && !cacheControl(headers['cache-control']).has('s-maxage')
}

/** The Age the root (or a cache before it) gave the answer, in ms. */
export function ageOf(headers: IncomingHttpHeaders): number {
  return seconds(typeof headers.age === 'string' ? headers.age.trim() : undefined) ?? 0
}
