// Packuments of packages not synchronized here, and their versions' documents (`GET /pkg/1.0.0`,
// `/pkg/latest`), fetched from the root for clients, in three steps:
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
import { asPackument, asVersionDoc, CORGI, rewriteTarball, rewriteTarballs, wantsAbbreviated, type Packument, type VersionDoc } from './packument.ts'
import type { ProxyBudget } from './proxy-budget.ts'
import { packumentPath, refusalReason, statusError as rootStatusError, type RegistryUpstream } from './registry-upstream.ts'

/** What the root's answer to a `Accept` varies by: npm's abbreviated form or the full document. */
const ACCEPT = { abbreviated: `${CORGI}; q=1.0, application/json; q=0.8, */*`, full: 'application/json' } as const

/** What one fetch asks the root for: a package's packument in one form, or one version's document. */
interface Wanted {
  /** The package asked for, which its tarball URLs name. */
  name: string
  accept: string
  /** A version or dist-tag: that version's document, not the packument. */
  version?: string
}

const describe = (w: Wanted) => (w.version === undefined ? `the root's packument for ${w.name}` : `the root's document for ${w.name}@${w.version}`)

/** One fetch's outcome, shared by the requests that asked while it ran. */
export class FetchedPackument {
  readonly #bodies = new Map<string, Buffer>()
  constructor(
    readonly wanted: Wanted,
    readonly doc: Packument | VersionDoc,
    readonly contentType: string,
    /** How the root's answer was found, for the request log ('bypass' without forward.cache). */
    readonly cache: CacheStatus | 'bypass' = 'bypass',
  ) {}

  /** The document with its tarball URLs on `base`, serialized once per base for every sharer. */
  bodyFor(base: string): Buffer {
    let body = this.#bodies.get(base)
    if (!body) {
      const { name, version } = this.wanted
      const doc = version === undefined ? rewriteTarballs(this.doc as Packument, base, name) : rewriteTarball(this.doc as VersionDoc, base, name)
      body = Buffer.from(JSON.stringify(doc))
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
    return this.#run({ name, accept: ACCEPT[form] }, headersTimeout, cacheControl)
  }

  /** The root's document for one version of `name` (a version or a dist-tag), as fetch() does packuments. */
  fetchVersion(name: string, version: string, headersTimeout?: number, cacheControl?: string): Promise<FetchedPackument> {
    return this.#run({ name, accept: ACCEPT.full, version }, headersTimeout, cacheControl)
  }

  #run(w: Wanted, headersTimeout: number | undefined, cacheControl: string | undefined): Promise<FetchedPackument> {
    return this.#flights.run(`${w.accept}\n${w.version ?? ''}\n${cacheControl ?? ''}\n${w.name}`, () => this.#fetch(w, headersTimeout, cacheControl))
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

  async #fetch(w: Wanted, headersTimeout: number | undefined, cacheControl: string | undefined): Promise<FetchedPackument> {
    const { name, accept, version } = w
    const path = packumentPath(name) + (version === undefined ? '' : `/${encodeURIComponent(version)}`)
    // Not tied to any one client: the requests sharing this fetch still want it when the first leaves.
    const lease = await this.budget.acquire({ slot: true })
    try {
      const get = (conditional: Record<string, string>) => this.upstream.request(path, { accept, ...conditional }, { headersTimeout })
      if (this.cache) {
        // Keyed apart from forwarded URLs, by form: the root's Vary may not say it depends on Accept.
        const key = version === undefined ? `npm packument\n${accept}\n${name}` : `npm version\n${name}\n${version}`
        const found = await this.cache.lookup(key, { accept, ...(cacheControl === undefined ? {} : { 'cache-control': cacheControl }) }, get)
        if (found.kind === 'entry') {
          const fetched = await this.#fromEntry(w, found.entry, found.cache, lease.add)
          if (fetched) return fetched
        }
        if (found.kind === 'response') return await this.#fromResponse(w, found.res, lease.add, 'miss')
        // No entry answered (its body went meanwhile, or a shared fetch's answer was not to be had): the root
        // is asked alone, uncached, unless the client said only-if-cached.
        if (cacheControl !== undefined && clientAsks({ 'cache-control': cacheControl }).onlyIfCached) throw new GatewayError('GW_ERR_NOT_CACHED')
      }
      return await this.#fromResponse(w, await get({}), lease.add, 'bypass')
    } finally {
      lease.release()
    }
  }

  async #fromResponse(w: Wanted, res: RootAnswer, received: (n: number) => void, cache: CacheStatus | 'bypass'): Promise<FetchedPackument> {
    if (res.statusCode === 401 || res.statusCode === 403) throw statusError(w, res.statusCode, await refusalReason(res))
    if (res.statusCode !== 200) {
      await res.body.dump().catch(() => {})
      throw statusError(w, res.statusCode)
    }
    const doc = parsed(w, await this.upstream.boundedJson(res, describe(w), received))
    return new FetchedPackument(w, doc, String(res.headers['content-type'] ?? 'application/json'), cache)
  }

  /** The packument from a cached answer; undefined when its body is gone meanwhile (then asked again, uncached). */
  async #fromEntry(w: Wanted, e: Entry, cache: CacheStatus, received: (n: number) => void): Promise<FetchedPackument | undefined> {
    if (e.status !== 200) throw statusError(w, e.status)
    const known = this.#parsed.get(e.file)
    if (known) return new FetchedPackument(w, known.doc, known.contentType, cache)
    if (e.bodyLength > this.upstream.maxPackumentBytes) throw new GatewayError('GW_ERR_ROOT_BAD_RESPONSE', `${describe(w)} is larger than npm.maxPackumentBytes (${this.upstream.maxPackumentBytes} bytes)`)
    const body = await this.cache!.store.readBody(e)
    if (!body) return undefined
    received(body.length)
    let json: unknown
    try {
      json = JSON.parse(body.toString('utf8'))
    } catch {
      throw new GatewayError('GW_ERR_ROOT_BAD_RESPONSE', `${describe(w)} is not JSON`)
    }
    const fetched = new FetchedPackument(w, parsed(w, json), String(e.headers['content-type'] ?? 'application/json'), cache)
    this.#parsed.set(e.file, fetched)
    return fetched
  }
}

/** The root's JSON as the document asked for, or GW_ERR_ROOT_BAD_RESPONSE saying what is wrong. */
function parsed(w: Wanted, json: unknown): Packument | VersionDoc {
  return w.version === undefined ? asPackument(json, describe(w)) : asVersionDoc(json, describe(w))
}

function statusError(w: Wanted, status: number, reason?: string): GatewayError {
  const what = w.version === undefined ? w.name : `${w.name}@${w.version}`
  if (status === 404) return new GatewayError('GW_ERR_NOT_FOUND', `${what} is not in the root registry`)
  return rootStatusError(what, status, reason)
}
