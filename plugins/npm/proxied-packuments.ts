// Packuments of packages not synchronized here, fetched from the root for clients, in three steps:
// fetch (one upstream fetch per package and form at a time, its outcome shared by every request that
// asks meanwhile), render (tarball URLs rewritten for the base the client gets, made once per base for
// the requests sharing the fetch), send. Fetches and bytes held are bounded by npm.proxy (ProxyBudget),
// and go over the plugin's own connections, never those that sync and the root's probes use. With
// forward.cache on, the root's answers go through that cache (gateway/http-cache): revalidated while the
// root is up, so new versions appear; served stale while it is down, so what was installed once
// keeps installing. The cache is what coalesces requests to the root; the in-flight map below shares
// the parsed document among the requests that asked meanwhile.
import { LRUCache } from 'lru-cache'
import { GatewayError } from '../../gateway/errors.ts'
import type { CacheStatus, HttpCache, RootAnswer } from '../../gateway/http-cache/http-cache.ts'
import type { Entry } from '../../gateway/http-cache/entry-store.ts'
import { clientAsks } from '../../gateway/http-cache/policy.ts'
import type { RequestContext } from '../../gateway/plugin-api.ts'
import { InFlight } from '../../gateway/util/in-flight.ts'
import { asPackument, CORGI, rewriteTarballs, wantsAbbreviated, type Packument } from './packument.ts'
import type { ProxyBudget } from './proxy-budget.ts'
import { packumentPath, refusalReason, statusError as rootStatusError, type RegistryUpstream } from './registry-upstream.ts'

/** What the root's answer to a `Accept` varies by: npm's abbreviated form or the full document. */
const ACCEPT = { abbreviated: `${CORGI}; q=1.0, application/json; q=0.8, */*`, full: 'application/json' } as const

/** One fetch's outcome, shared by the requests that asked while it ran. */
export class FetchedPackument {
  readonly #bodies = new Map<string, Buffer>()
  constructor(
    /** The package asked for, which its tarball URLs name. */
    readonly name: string,
    readonly doc: Packument,
    readonly contentType: string,
    /** How the root's answer was found, for the request log ('bypass' without forward.cache). */
    readonly cache: CacheStatus | 'bypass' = 'bypass',
  ) {}

  /** The document with its tarball URLs on `base`, serialized once per base for every sharer. */
  bodyFor(base: string): Buffer {
    let body = this.#bodies.get(base)
    if (!body) {
      body = Buffer.from(JSON.stringify(rewriteTarballs(this.doc, base, this.name)))
      this.#bodies.set(base, body)
    }
    return body
  }
}

export class ProxiedPackuments {
  readonly #flights = new InFlight<FetchedPackument>()
  /** The last cached bodies parsed, by body file: a revalidated entry (304) keeps its body and its parse. */
  readonly #parsed = new LRUCache<string, FetchedPackument>({ max: 64 })
  #requests = 0

  constructor(
    private readonly upstream: RegistryUpstream,
    private readonly budget: ProxyBudget,
    private readonly cache?: HttpCache,
  ) {}

  get origin(): string {
    return this.upstream.origin
  }

  /**
   * The root's packument in the form `accept` asks for; one fetch per package and form at a time. A
   * `headersTimeout` applies to the fetch this call starts (the one that joins a running fetch shares it).
   */
  fetch(name: string, accept: string | undefined, headersTimeout?: number, cacheControl?: string): Promise<FetchedPackument> {
    const form = wantsAbbreviated(accept) ? 'abbreviated' : 'full'
    // A client's Cache-Control (`npm --prefer-online` sends no-cache) reaches the cache; such a request
    // does not join a fetch that may be answered from it.
    return this.#flights.run(`${form}\n${cacheControl ?? ''}\n${name}`, () => this.#fetch(name, ACCEPT[form], headersTimeout, cacheControl))
  }

  /** Sends `body` once the bytes it holds until the client has it fit the bound. */
  async send(ctx: RequestContext, fetched: FetchedPackument, body: Buffer): Promise<void> {
    const { res } = ctx
    if (res.destroyed) return
    const lease = await this.budget.acquire({ bytes: ctx.method === 'HEAD' ? 0 : body.length }, res)
    if (res.destroyed) return lease.release()
    res.once('close', lease.release)
    res.writeHead(200, { 'content-type': fetched.contentType, 'content-length': body.length, 'cache-control': 'no-cache', vary: 'accept' })
    res.end(ctx.method === 'HEAD' ? undefined : body)
  }

  /** Counts a request from its start to its answer, for /health. */
  async track<T>(work: () => Promise<T>): Promise<T> {
    this.#requests++
    try {
      return await work()
    } finally {
      this.#requests--
    }
  }

  stats(): Record<string, number> {
    return { requests: this.#requests, ...this.budget.stats() }
  }

  async #fetch(name: string, accept: string, headersTimeout: number | undefined, cacheControl: string | undefined): Promise<FetchedPackument> {
    // Not tied to any one client: the requests sharing this fetch still want it when the first leaves.
    const lease = await this.budget.acquire({ slot: true })
    try {
      const get = (conditional: Record<string, string>) => this.upstream.request(packumentPath(name), { accept, ...conditional }, { headersTimeout })
      if (this.cache) {
        // Keyed apart from forwarded URLs, by form: the root's Vary may not say it depends on Accept.
        const found = await this.cache.lookup(`npm packument\n${accept}\n${name}`, { accept, ...(cacheControl === undefined ? {} : { 'cache-control': cacheControl }) }, get)
        if (found.kind === 'entry') {
          const fetched = await this.#fromEntry(name, found.entry, found.cache, lease.add)
          if (fetched) return fetched
        }
        if (found.kind === 'response') return await this.#fromResponse(name, found.res, lease.add, 'miss')
        // No entry answered (its body went meanwhile, or a shared fetch's answer was not to be had): the root
        // is asked alone, uncached, unless the client said only-if-cached.
        if (cacheControl !== undefined && clientAsks({ 'cache-control': cacheControl }).onlyIfCached) throw new GatewayError('GW_ERR_NOT_CACHED')
      }
      return await this.#fromResponse(name, await get({}), lease.add, 'bypass')
    } finally {
      lease.release()
    }
  }

  async #fromResponse(name: string, res: RootAnswer, received: (n: number) => void, cache: CacheStatus | 'bypass'): Promise<FetchedPackument> {
    if (res.statusCode === 401 || res.statusCode === 403) throw statusError(name, res.statusCode, await refusalReason(res))
    if (res.statusCode !== 200) {
      await res.body.dump().catch(() => {})
      throw statusError(name, res.statusCode)
    }
    const what = `the root's packument for ${name}`
    const doc = asPackument(await this.upstream.boundedJson(res, what, received), what)
    return new FetchedPackument(name, doc, String(res.headers['content-type'] ?? 'application/json'), cache)
  }

  /** The packument from a cached answer; undefined when its body is gone meanwhile (then asked again, uncached). */
  async #fromEntry(name: string, e: Entry, cache: CacheStatus, received: (n: number) => void): Promise<FetchedPackument | undefined> {
    if (e.status !== 200) throw statusError(name, e.status)
    const known = this.#parsed.get(e.file)
    if (known) return new FetchedPackument(name, known.doc, known.contentType, cache)
    if (e.bodyLength > this.upstream.maxPackumentBytes) throw new GatewayError('GW_ERR_ROOT_BAD_RESPONSE', `the root's packument for ${name} is larger than npm.maxPackumentBytes (${this.upstream.maxPackumentBytes} bytes)`)
    const body = await this.cache!.store.readBody(e)
    if (!body) return undefined
    received(body.length)
    let parsed: unknown
    try {
      parsed = JSON.parse(body.toString('utf8'))
    } catch {
      throw new GatewayError('GW_ERR_ROOT_BAD_RESPONSE', `the root's packument for ${name} is not JSON`)
    }
    const doc = asPackument(parsed, `the root's packument for ${name}`)
    const fetched = new FetchedPackument(name, doc, String(e.headers['content-type'] ?? 'application/json'), cache)
    this.#parsed.set(e.file, fetched)
    return fetched
  }
}

function statusError(name: string, status: number, reason?: string): GatewayError {
  if (status === 404) return new GatewayError('GW_ERR_NOT_FOUND', `${name} is not in the root registry`)
  return rootStatusError(name, status, reason)
}
