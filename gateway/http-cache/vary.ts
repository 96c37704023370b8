// Variants (RFC 9111 §4.1): an answer that varies is stored under its URL's key plus the values of the
// request headers it varies by. Which headers those are is known only from a stored answer, so the
// index below keeps them for each URL that has a varying entry in the store: told of every entry the
// store takes in (those found on disk at start too) and lets go, it survives restarts and is bounded by
// the store.
import type { IncomingHttpHeaders } from 'node:http'
import type { Entry, StoreWatcher } from './entry-store.ts'

export class VaryIndex implements StoreWatcher {
  /** Per URL key: the headers its answers vary by, as the root last said, and its varying entries stored. */
  readonly #urls = new Map<string, { headers: string[]; entries: number }>()

  /** The request headers the answers for `key` vary by; undefined or empty when they vary on nothing. */
  headers(key: string): string[] | undefined {
    return this.#urls.get(key)?.headers
  }

  /** URL keys with a varying entry in the store. */
  get size(): number {
    return this.#urls.size
  }

  stored(e: Entry, isNew: boolean): void {
    if (e.vary.length === 0) {
      // The root no longer varies this answer: look it up by the plain key (older variants stay counted until they go).
      const u = this.#urls.get(e.key)
      if (u) u.headers = e.vary
      return
    }
    const url = urlKeyOf(e)
    const u = this.#urls.get(url)
    if (!u) this.#urls.set(url, { headers: e.vary, entries: 1 })
    else {
      u.headers = e.vary
      if (isNew) u.entries++
    }
  }

  removed(e: Entry): void {
    if (e.vary.length === 0) return
    const url = urlKeyOf(e)
    const u = this.#urls.get(url)
    if (u && --u.entries <= 0) this.#urls.delete(url)
  }
}

/** The store's key: the URL's key and the values of the request headers its answers vary by. */
export function variantKey(key: string, req: IncomingHttpHeaders, vary: readonly string[] | undefined): string {
  if (!vary || vary.length === 0) return key
  return key + '\n' + vary.map((h) => `${h}:${headerValue(req[h])}`).join('\n')
}

/** Was `e` stored for a request with these values of the headers it varies by? */
export function sameVariant(e: Entry, req: IncomingHttpHeaders): boolean {
  for (let i = 0; i < e.vary.length; i++) if (headerValue(req[e.vary[i]!]) !== e.varyValues[i]) return false
  return true
}

export function headerValue(v: string | string[] | undefined): string {
  return (Array.isArray(v) ? v.join(', ') : (v ?? '')).trim().replace(/\s+/g, ' ')
}

/** The URL key of a varying entry: its key less one line per header (values hold no line breaks, see headerValue). */
function urlKeyOf(e: Entry): string {
  let end = e.key.length
  for (let i = 0; i < e.vary.length; i++) end = e.key.lastIndexOf('\n', end - 1)
  return e.key.slice(0, end)
}
