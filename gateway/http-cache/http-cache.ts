// The pull-through cache of answers read from the root with the site's key (docs/lifecycle.md,
// "Forwarding"): fresh entries answer without the root; stale ones are revalidated (If-None-Match /
// If-Modified-Since, a 304 refreshes the entry); concurrent requests for an entry that is missing or
// being revalidated share one root request, each waiting at most `lockTimeout` before going alone (as
// nginx's proxy_cache_lock); while the root fails, a stale entry is served for its stale-if-error, and
// within stale-while-revalidate it is served at once and refreshed in the background.
// Protocol plugins use it with their own root requests (forwarding, npm's packuments): one cache, one
// place where requests to the root for an entry are coalesced.
import type { FileHandle } from 'node:fs/promises'
import type { IncomingHttpHeaders } from 'node:http'
import { Readable } from 'node:stream'
import type { Dispatcher } from 'undici'
import { GatewayError, upstreamError } from '../errors.ts'
import type { Clock } from '../util/clock.ts'
import { EntryStore, TooLarge, type Entry, type EntryMeta, type PutWatch } from './entry-store.ts'
import { ageOf, clientAsks, staleForClients, storable, type ClientAsk, type CacheDefaults } from './policy.ts'
import { headerValue, sameVariant, VaryIndex, variantKey } from './vary.ts'

/** How an answer was found, for the request log and /health (as nginx's $upstream_cache_status). */
export type CacheStatus = 'hit' | 'miss' | 'revalidated' | 'stale' | 'coalesced'

/** A root answer: undici's, one whose body its fetch masks, or one the cache began to store before it proved too large. */
export type RootAnswer = Pick<Dispatcher.ResponseData, 'statusCode' | 'headers'> & { body: Readable & { dump(): Promise<void> } }

/** One GET to the root with these extra (conditional) headers; failures are thrown as catalogue errors. */
export type RootFetch = (conditional: Record<string, string>) => Promise<RootAnswer>

export type Lookup =
  | { kind: 'entry'; entry: Entry; cache: CacheStatus }
  /** The root's answer cannot be stored: the caller sends it on (and reads or dumps its body). */
  | { kind: 'response'; res: RootAnswer }
  /** No shared answer (the wait was too long, or the one fetched could not be shared): ask the root alone, uncached. */
  | { kind: 'alone' }
  | Filling

/**
 * A 200 miss being stored (only when asked for, `stream`): `body` is its bytes as they are written to the
 * entry's file, the last one held back until the entry is in place; an error when the root (or the disk)
 * fails mid-body, nothing stored; past maxEntryBytes, the rest from the root, uncached.
 */
export type Filling = { kind: 'filling'; meta: EntryMeta; body: Readable }

type Fill = { kind: 'entry'; entry: Entry; cache: CacheStatus } | { kind: 'response'; res: RootAnswer } | { kind: 'alone' }

export interface HttpCacheOptions {
  dir: string
  diskBytes: number
  memoryBytes: number
  maxEntryBytes: number
  lockTimeout: number
  defaults: CacheDefaults
  /** Turns root response headers into the ones stored for clients (hop-by-hop and Set-Cookie removed). */
  clientHeaders(h: IncomingHttpHeaders): Record<string, string | string[]>
  /** A failure during a background refresh, for the log. */
  onBackgroundError(key: string, err: unknown): void
}

const COUNTED = ['hit', 'miss', 'revalidated', 'stale', 'coalesced', 'alone', 'notStored'] as const

/**
 * /health's forward.cache, the admin page's and /metrics' figures: the store's size and bounds, fills
 * now, URLs with varying entries (whose Vary headers are held in memory), and running counts.
 */
export type HttpCacheStats = ReturnType<EntryStore['stats']> & { filling: number; waiting: number; varying: number } & Record<(typeof COUNTED)[number], number>

export class HttpCache {
  readonly #fills = new Map<string, Promise<Fill>>()
  /** Requests waiting for another's root request, now. */
  #waiting = 0
  readonly #counts: Record<(typeof COUNTED)[number], number> = Object.fromEntries(COUNTED.map((c) => [c, 0])) as never

  private constructor(
    readonly store: EntryStore,
    private readonly vary: VaryIndex,
    private readonly o: HttpCacheOptions,
    private readonly clock: Clock,
  ) {}

  static async open(o: HttpCacheOptions, clock: Clock): Promise<HttpCache> {
    const vary = new VaryIndex()
    const store = await EntryStore.open(o.dir, { maxBytes: o.diskBytes, memoryBytes: o.memoryBytes, watcher: vary })
    return new HttpCache(store, vary, o, clock)
  }

  /** The entry `lookup` would start from, without asking the root or counting it as used. */
  peek(key: string, req: IncomingHttpHeaders): Entry | undefined {
    return this.store.has(this.#entryKey(key, req)) ? this.store.get(this.#entryKey(key, req)) : undefined
  }

  /**
   * The answer for `key` (GET with these request headers): from the cache when it may be, else from
   * `fetch`, stored when it may be. Throws the root's failure when no stale entry may stand in for it, and
   * GW_ERR_NOT_CACHED, without asking the root, for `only-if-cached` when no entry may answer.
   */
  lookup(key: string, req: IncomingHttpHeaders, fetch: RootFetch, o?: { stream?: boolean }): Promise<Lookup> {
    return this.#lookup(key, req, fetch, true, o?.stream === true)
  }

  async #lookup(key: string, req: IncomingHttpHeaders, fetch: RootFetch, mayRejoin: boolean, stream: boolean): Promise<Lookup> {
    const k = this.#entryKey(key, req)
    const entry = this.store.get(k)
    const ask = clientAsks(req)
    const now = this.clock.now()
    // The client's no-cache or max-age: an entry that old is only the start of a (conditional) fill.
    if (entry !== undefined && (ask.maxAge === undefined || ageNow(entry, now) < ask.maxAge)) {
      const stale = staleFor(entry, now)
      const minFresh = ask.minFresh ?? 0
      if (stale + minFresh <= 0) return this.#count({ kind: 'entry', entry, cache: 'hit' })
      if (mayServeStale(entry, ask, stale, entry.freshness.staleWhileRevalidate)) {
        if (!this.#fills.has(k)) this.#fill(k, key, req, entry, fetch).then(
            (f) => {
              if (f.kind === 'response') f.res.body.dump().catch(() => {})
            },
            (err) => this.o.onBackgroundError(key, err),
          )
        return this.#count({ kind: 'entry', entry, cache: 'stale' })
      }
      // The client takes this much staleness (max-stale): answered as it is, unconfirmed.
      if (ask.maxStale !== undefined && stale + minFresh <= ask.maxStale && staleForClients(entry.freshness, entry.headers)) return this.#count({ kind: 'entry', entry, cache: stale > 0 ? 'stale' : 'hit' })
    }
    // RFC 9111 §5.2.1.7: no entry this request may take, and the root is not to be asked (nor waited for).
    if (ask.onlyIfCached) throw new GatewayError('GW_ERR_NOT_CACHED')
    const running = this.#fills.get(k)
    if (running) {
      const joined = await this.#join(running, req)
      if (joined) return this.#count(joined)
      // That fill's answer varies and is another request's variant (its Vary was unknown when this one
      // joined): this request's own is looked up now that it is known, once, else the root is asked alone.
      return mayRejoin ? this.#lookup(key, req, fetch, false, stream) : this.#count({ kind: 'alone' })
    }
    if (!stream) return this.#count(await this.#fill(k, key, req, entry, fetch))
    // This request's client is fed as the entry is written (a Filling), once a 200 is being stored; the
    // requests that join the fill still wait for the entry.
    let began!: (f: Filling) => void
    const streaming = new Promise<Filling>((r) => (began = r))
    return this.#count(await Promise.race([streaming, this.#fill(k, key, req, entry, fetch, began)]))
  }

  /** RFC 9111 §4.4: a write to `key` went through; its entries (every variant) are no longer the root's answer. */
  invalidate(key: string): void {
    for (const k of this.store.keys((k) => k === key || k.startsWith(key + '\n'))) this.store.delete(k)
  }

  /** For an answer repeated from memory (docs/lifecycle.md, step 1): is `e` still the entry, and fresh? Counted as a use and a hit when it is. */
  stillFresh(e: Entry): boolean {
    if (this.store.get(e.key) !== e || staleFor(e, this.clock.now()) > 0) return false
    this.#counts.hit++
    return true
  }

  stats(): HttpCacheStats {
    return { ...this.store.stats(), filling: this.#fills.size, waiting: this.#waiting, varying: this.vary.size, ...this.#counts }
  }

  #count<T extends Lookup>(l: T): T {
    if (l.kind === 'entry') this.#counts[l.cache]++
    else if (l.kind === 'filling') this.#counts.miss++
    else if (l.kind === 'alone') this.#counts.alone++
    return l
  }

  /**
   * A request that arrived while the entry was being fetched: that fetch's entry, or alone after
   * lockTimeout; undefined when the entry is a variant for other values of the headers it varies by.
   */
  async #join(running: Promise<Fill>, req: IncomingHttpHeaders): Promise<Lookup | undefined> {
    let timer: unknown
    const waited = new Promise<'timeout'>((r) => (timer = this.clock.setTimeout(() => r('timeout'), this.o.lockTimeout)))
    this.#waiting++
    try {
      const f = await Promise.race([running, waited])
      if (f === 'timeout' || f.kind !== 'entry') return { kind: 'alone' }
      if (!sameVariant(f.entry, req)) return undefined
      // A stale stand-in for a failing root only for a request that takes one (not no-cache, say).
      if (f.cache === 'stale' && !this.#staleOnError(f.entry, req)) return { kind: 'alone' }
      return { kind: 'entry', entry: f.entry, cache: f.cache === 'stale' ? 'stale' : 'coalesced' }
    } finally {
      this.#waiting--
      this.clock.clearTimeout(timer)
    }
  }

  #fill(k: string, key: string, req: IncomingHttpHeaders, old: Entry | undefined, fetch: RootFetch, began?: (f: Filling) => void): Promise<Fill> {
    const p = this.#fetchAndStore(key, req, old, fetch, began).finally(() => this.#fills.delete(k))
    this.#fills.set(k, p)
    return p
  }

  /** `began`: told when a 200 starts to be written, with the body as written, for the client that caused the fill. */
  async #fetchAndStore(key: string, req: IncomingHttpHeaders, old: Entry | undefined, fetch: RootFetch, began?: (f: Filling) => void): Promise<Fill> {
    const conditional: Record<string, string> = {}
    if (old) {
      const etag = old.headers.etag
      const modified = old.headers['last-modified']
      if (typeof etag === 'string') conditional['if-none-match'] = etag
      if (typeof modified === 'string') conditional['if-modified-since'] = modified
    }
    let res: RootAnswer
    try {
      res = await fetch(conditional)
    } catch (err) {
      if (old && this.#staleOnError(old, req)) return { kind: 'entry', entry: old, cache: 'stale' }
      throw err
    }
    const now = this.clock.now()
    if (res.statusCode === 304 && old) {
      await res.body.dump().catch(() => {})
      // RFC 9111 §4.3.4: the stored headers are updated by the 304's (less framing ones).
      const fresh = storable(old.status, { ...old.headers, ...withoutFraming(res.headers) } as IncomingHttpHeaders, this.o.defaults)
      if (!fresh.ok) {
        this.store.delete(old.key)
        return { kind: 'alone' }
      }
      const headers = this.o.clientHeaders({ ...old.headers, ...withoutFraming(res.headers) } as IncomingHttpHeaders)
      const entry = await this.store.refresh(old, { headers, receivedAt: now, initialAge: ageOf(res.headers), freshness: fresh.freshness })
      return { kind: 'entry', entry, cache: 'revalidated' }
    }
    if (res.statusCode >= 500 && old && this.#staleOnError(old, req)) {
      await res.body.dump().catch(() => {})
      return { kind: 'entry', entry: old, cache: 'stale' }
    }
    const s = storable(res.statusCode, res.headers, this.o.defaults)
    const length = Number(res.headers['content-length'])
    if (!s.ok || length > this.o.maxEntryBytes) {
      this.#counts.notStored++
      // The root now says this must not be kept: the old entry goes too. A 5xx says nothing of it (RFC 9111
      // §4.3.3): it stays, for the clients a stale stand-in may still answer.
      if (old && res.statusCode < 500) this.store.delete(old.key)
      return { kind: 'response', res }
    }
    const meta: EntryMeta = {
      key: variantKey(key, req, s.vary),
      status: res.statusCode,
      headers: this.o.clientHeaders(res.headers),
      bodyLength: 0,
      receivedAt: now,
      initialAge: ageOf(res.headers),
      freshness: s.freshness,
      vary: s.vary,
      varyValues: s.vary.map((h) => headerValue(req[h])),
    }
    const tee = began && res.statusCode === 200 ? new Tee() : undefined
    const watch: PutWatch | undefined = tee && {
      opened: (reader) => began!({ kind: 'filling', meta, body: tee.reader(reader) }),
      wrote: (n) => tee.wrote(n),
    }
    try {
      // Not destroyed when put stops reading: an answer too large is sent on from what was read.
      const entry = await this.store.put(meta, res.body.iterator({ destroyOnReturn: false }), this.o.maxEntryBytes, watch)
      tee?.finish({ stored: true })
      return { kind: 'entry', entry, cache: 'miss' }
    } catch (err) {
      if (err instanceof TooLarge && err.received) {
        // docs/lifecycle.md: it passes through uncached, from this one root request.
        this.#counts.notStored++
        if (tee) {
          // Its client (given its handle on the file before the first byte was written) reads on from
          // that handle, then the rest from the root.
          err.received.close().catch(() => {})
          tee.finish({ rest: res.body })
          return { kind: 'alone' }
        }
        return { kind: 'response', res: { statusCode: res.statusCode, headers: res.headers, body: receivedThenRest(err.received, res.body) } }
      }
      res.body.destroy()
      // The cache's own disk failed (full, say): this answer goes uncached (a client already fed is cut).
      if (err instanceof TooLarge || (err as NodeJS.ErrnoException).syscall !== undefined) {
        this.#counts.notStored++
        tee?.finish({ error: new GatewayError('GW_ERR_INTERNAL', 'the forward cache failed to write an entry', undefined, { cause: err }) })
        return { kind: 'alone' }
      }
      // The root failed mid-body.
      const ge = err instanceof GatewayError ? err : upstreamError(err)
      tee?.finish({ error: ge })
      if (old && this.#staleOnError(old, req)) return { kind: 'entry', entry: old, cache: 'stale' }
      throw ge
    }
  }

  /**
   * May `e` stand in for a failing root? Never for a request that asked for the root's confirmation
   * (no-cache, max-age) or for freshness left (min-fresh), nor past the staleness it takes (max-stale).
   */
  #staleOnError(e: Entry, req: IncomingHttpHeaders): boolean {
    const ask = clientAsks(req)
    return ask.maxAge === undefined && mayServeStale(e, ask, staleFor(e, this.clock.now()), e.freshness.staleIfError)
  }

  #entryKey(key: string, req: IncomingHttpHeaders): string {
    return variantKey(key, req, this.vary.headers(key))
  }
}

/**
 * May `e`, `stale` ms past its freshness, be answered under the root's `allowance` (stale-while-revalidate,
 * stale-if-error)? Never one marked must-revalidate, nor to a client that wants freshness left
 * (min-fresh), nor past the staleness the client takes (max-stale).
 */
function mayServeStale(e: Entry, ask: ClientAsk, stale: number, allowance: number): boolean {
  return ask.minFresh === undefined && !e.freshness.mustRevalidate && stale <= Math.min(allowance, ask.maxStale ?? Infinity)
}

/** ms an entry is past its freshness (≤ 0: fresh). */
export function staleFor(e: Pick<EntryMeta, 'initialAge' | 'receivedAt' | 'freshness'>, now: number): number {
  return ageNow(e, now) - e.freshness.lifetime
}

/** The entry's current age in ms (RFC 9111 §4.2.3, without the root's Date: the two clocks are never compared). */
export function ageNow(e: Pick<EntryMeta, 'initialAge' | 'receivedAt'>, now: number): number {
  return e.initialAge + Math.max(0, now - e.receivedAt)
}

/**
 * A body being written to an entry's file, read back from it for the client that caused the fill: the
 * root is read as fast as the file is written (never held back by that client), and the client reads at
 * its own pace from the file, so neither side buffers in memory. Its last byte is held back until the
 * entry is in place, so a client that has the whole answer finds the entry on its next request.
 */
type TeeEnd = { stored: true } | { error: unknown } | { rest: Readable }

class Tee {
  written = 0
  end: TeeEnd | undefined
  /** The reader is gone (its client left): a rest from the root is not read on. */
  gone = false
  #wake: (() => void) | undefined

  wrote(n: number): void {
    this.written = n
    this.wakeUp()
  }

  finish(end: TeeEnd): void {
    this.end = end
    if ('rest' in end) {
      // Destroyed unread (the client left), the root's body reports an abort that nobody is left to hear.
      end.rest.on('error', () => {})
      if (this.gone) end.rest.destroy()
    }
    this.wakeUp()
  }

  reader(fh: FileHandle): Readable {
    return new TeeBody(this, fh)
  }

  changed(): Promise<void> {
    return new Promise<void>((r) => (this.#wake = r))
  }

  wakeUp(): void {
    const w = this.#wake
    this.#wake = undefined
    w?.()
  }
}

/** The client's side of a Tee: its own handle on the file, read as far as it is written, at the client's pace. */
class TeeBody extends Readable {
  #pos = 0
  #busy = false
  #rest: AsyncIterator<Buffer> | undefined

  constructor(
    private readonly tee: Tee,
    private readonly fh: FileHandle,
  ) {
    super()
  }

  override _read(): void {
    if (this.#busy) return
    this.#busy = true
    this.#pump().catch((err) => this.destroy(err as Error))
  }

  /** Pushes what there is until the consumer has enough (then `_read` asks again) or the body ends. */
  async #pump(): Promise<void> {
    const tee = this.tee
    for (;;) {
      if (this.destroyed) return
      const end = tee.end
      const upTo = end ? tee.written : tee.written - 1
      if (this.#pos < upTo) {
        const b = Buffer.allocUnsafe(Math.min(upTo - this.#pos, 256 * 1024))
        const { bytesRead } = await this.fh.read(b, 0, b.length, this.#pos)
        if (this.destroyed) return
        if (bytesRead === 0) throw new GatewayError('GW_ERR_INTERNAL', 'the forward cache lost an entry it was writing')
        this.#pos += bytesRead
        if (!this.#more(b.subarray(0, bytesRead))) return
        continue
      }
      if (!end) {
        await tee.changed()
        continue
      }
      if ('error' in end) throw end.error
      if ('rest' in end) {
        this.#rest ??= end.rest[Symbol.asyncIterator]()
        const next = await this.#rest.next()
        if (this.destroyed) return
        if (!next.done) {
          if (!this.#more(next.value)) return
          continue
        }
      }
      this.push(null)
      return
    }
  }

  /** Pushes `chunk`; false (and `_read` may start a pump again) when the consumer has enough for now. */
  #more(chunk: Buffer): boolean {
    if (this.push(chunk)) return true
    this.#busy = false
    return false
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    // The client left (or its answer was cut): the fill goes on without it.
    this.tee.gone = true
    const end = this.tee.end
    if (end && 'rest' in end) end.rest.destroy()
    this.tee.wakeUp()
    this.fh.close().then(
      () => cb(err),
      () => cb(err),
    )
  }
}

/** The body of an answer found too large while stored: the bytes read (from their file), then the rest from the root. */
function receivedThenRest(received: FileHandle, rest: Readable): RootAnswer['body'] {
  // Destroyed unread (the client left), the root's body reports an abort that nobody is left to hear.
  rest.on('error', () => {})
  const body = Readable.from(
    (async function* () {
      yield* received.createReadStream({ autoClose: false })
      yield* rest
    })(),
    { objectMode: false },
  )
  // Also when it never started or stopped early: the file is closed and the root's answer not read on.
  body.once('close', () => {
    rest.destroy()
    received.close().catch(() => {})
  })
  return Object.assign(body, { dump: async () => void body.destroy() })
}

const FRAMING = new Set(['content-length', 'transfer-encoding', 'content-encoding', 'content-range', 'connection', 'keep-alive'])

function withoutFraming(h: IncomingHttpHeaders): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = {}
  for (const name in h) if (!FRAMING.has(name)) out[name] = h[name]
  return out
}
