// Forwarded reads through the pull-through cache (gateway/http-cache). A GET is answered from the
// cache, or fetched once from the root (with the site's key, never the client's credentials or its
// conditionals and range, which are answered from the whole entry here) and stored when RFC 9111
// allows. HEAD and Range requests use an entry when one exists and otherwise pass through uncached.
import { pipeline, type Readable } from 'node:stream'
import type { IncomingHttpHeaders } from 'node:http'
import { isRootFailure, upstreamError, type GatewayError } from '../../gateway/errors.ts'
import type { RequestContext } from '../../gateway/plugin-api.ts'
import type { Filling, HttpCache, RootAnswer } from '../../gateway/http-cache/http-cache.ts'
import { cacheControl } from '../../gateway/http-cache/policy.ts'
import type { RootClient } from '../../gateway/upstream/root-client.ts'
import type { RootHealth } from '../../gateway/upstream/root-health.ts'
import { withoutOwnCookies } from '../../gateway/server/own-cookies.ts'
import { requestRoot } from '../../gateway/upstream/root-request.ts'
import type { Clock } from '../../gateway/util/clock.ts'
import type { Release } from '../../gateway/util/limiter.ts'
import { entryHeaders, sendEntry } from './cached-answer.ts'
import { clientResponseHeaders, upstreamRequestHeaders } from './headers.ts'
import { maskedBody } from './key-mask.ts'

/** Client request headers that never reach the root on a fill: the entry answers them itself. */
const ANSWERED_HERE = ['range', 'if-range', 'if-none-match', 'if-modified-since', 'if-match', 'if-unmodified-since']

export interface CachedReadsDeps {
  cache: HttpCache
  client: RootClient
  rootHealth: RootHealth | undefined
  clock: Clock
  site: string
  passCookies: boolean
  /** A connection to the root within forward.timeouts.queue (GW_ERR_FORWARD_BUSY after). */
  connection(): Promise<Release>
  /** The uncached forward path. */
  forward(ctx: RequestContext): Promise<void>
}

/** Does this read go through the cache? Cookies passed to the root would make the answer the client's own. */
export function usesCache(ctx: RequestContext, passCookies: boolean): boolean {
  if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return false
  const h = ctx.req.headers
  if (passCookies && withoutOwnCookies(h.cookie) !== undefined) return false
  return h['cache-control'] === undefined || !cacheControl(h['cache-control']).has('no-store')
}

export function cachedReads(d: CachedReadsDeps): (ctx: RequestContext) => Promise<void> {
  const rootGet = async (path: string, headers: Record<string, string | string[]>, conditional: Record<string, string>): Promise<RootAnswer> => {
    const release = await d.connection()
    try {
      const res = await requestRoot(d.client, d.rootHealth, { path: d.client.basePath + path, method: 'GET', headers: { ...headers, ...conditional } })
      if (res.body.closed) release()
      else res.body.once('close', release)
      // An error answer may echo the site's key it went with: masked before it is passed on or stored.
      const key = d.client.siteKey()
      return res.statusCode >= 400 && key ? { statusCode: res.statusCode, headers: res.headers, body: maskedBody(res.body, key) } : res
    } catch (err) {
      release()
      throw err
    }
  }

  return async (ctx) => {
    const { req } = ctx
    const key = ctx.rawPath + ctx.query
    if ((ctx.method === 'HEAD' || req.headers.range !== undefined) && !d.cache.peek(key, req.headers)) return d.forward(ctx)
    ctx.upstream = d.client.origin
    ctx.cache = 'miss' // until found otherwise: also the word for a failed fetch, as nginx's MISS
    const headers = upstreamRequestHeaders(req.headers, { siteKey: d.client.keyHeaders(), passCookies: d.passCookies, remoteAddress: ctx.remoteAddress, secure: ctx.secure })
    for (const h of ANSWERED_HERE) delete headers[h]
    // A plain GET that misses is sent as the entry is written; one with a range or conditionals is
    // answered from the stored entry (206, 304), as are HEAD requests.
    const plain = ctx.method === 'GET' && req.headers.range === undefined && req.headers['if-none-match'] === undefined && req.headers['if-modified-since'] === undefined
    const found = await d.cache.lookup(key, req.headers, (conditional) => rootGet(key, headers, conditional), { stream: plain })
    if (found.kind === 'alone') return d.forward(ctx)
    if (found.kind === 'filling') return sendFilling(ctx, found, d.site, d.clock.now(), d.rootHealth)
    if (found.kind === 'response') {
      ctx.cache = 'miss'
      return sendResponse(ctx, found.res, d.rootHealth)
    }
    ctx.cache = found.cache
    const { entry } = found
    const now = d.clock.now()
    // A fresh hit that varies on nothing is the same answer for every plain GET of this target: offered
    // for repeats (docs/lifecycle.md, step 1) while it stays the entry, stays fresh, and for at most a
    // second, since its Age and Cache-Status ttl count in seconds.
    const offer =
      found.cache === 'hit' && entry.vary.length === 0 && entry.status === 200
        ? (headers: Record<string, string | string[] | number>, body: Buffer) =>
            ctx.reusable({ headers, body, stillHolds: () => d.clock.now() - now < 1000 && d.cache.stillFresh(entry) })
        : undefined
    if (!(await sendEntry(ctx, d.cache.store, entry, found.cache, d.site, now, offer))) {
      d.cache.store.delete(entry.key)
      return d.forward(ctx)
    }
  }
}

/**
 * A miss sent as it is stored: the head a stored miss gets (sendEntry), its Content-Length the root's
 * (none for a chunked answer, whose Cache-Status does not say `stored`: it may yet prove too large to
 * keep); the body as it is written to the entry. A root (or disk) failing mid-body cuts the answer, and
 * the request log says why; a client that leaves does not stop the fill.
 */
function sendFilling(ctx: RequestContext, f: Filling, site: string, now: number, rootHealth: RootHealth | undefined): Promise<void> {
  const { res } = ctx
  ctx.cache = 'miss'
  res.writeHead(f.meta.status, entryHeaders(f.meta, 'miss', site, now, f.meta.headers['content-length'] !== undefined))
  // The body also fails when the cache's own disk does: only the root's failures count against it.
  return streamOn(ctx, f.body, (ge) => isRootFailure(ge) && rootHealth?.report(ge))
}

/** An answer the cache may not keep, streamed on as the root sends it. */
function sendResponse(ctx: RequestContext, up: RootAnswer, rootHealth: RootHealth | undefined): Promise<void> {
  const { res } = ctx
  const headers = clientResponseHeaders(up.headers as IncomingHttpHeaders as Record<string, string | string[] | undefined>, true)
  if (up.statusCode === 204) delete headers['content-length']
  res.writeHead(up.statusCode, headers)
  return streamOn(ctx, up.body, (ge) => rootHealth?.report(ge))
}

/**
 * Streams `body` on to the client. The client leaving shows as a premature close; anything else is the
 * body failing mid-way: `failed` hears of it, the answer is cut, and the request log says why.
 */
function streamOn(ctx: RequestContext, body: Readable, failed: (ge: GatewayError) => unknown): Promise<void> {
  return new Promise<void>((resolve) => {
    pipeline(body, ctx.res, (err) => {
      if (err && (err as { code?: string }).code !== 'ERR_STREAM_PREMATURE_CLOSE') {
        const ge = upstreamError(err)
        failed(ge)
        ctx.error = ge.code
        ctx.res.destroy()
      }
      resolve()
    })
  })
}
