// The fallback route: whatever no other route takes goes to the root, over keep-alive connections,
// with the client's credentials stripped and the site's low-privilege key added. With forward.cache,
// reads go through the pull-through cache first (cached-reads.ts), which this plugin offers to others
// as the `httpCache` service (npm's packuments of packages not synchronized here).
import { dirname, join, resolve } from 'node:path'
import type { Dispatcher } from 'undici'
import { GatewayError } from '../../gateway/errors.ts'
import { section, type GatewayPlugin, type RequestContext } from '../../gateway/plugin-api.ts'
import { createRootClient } from '../../gateway/upstream/root-client.ts'
import { Limiter, type Release } from '../../gateway/util/limiter.ts'
import { workerSlot } from '../../gateway/util/worker-slot.ts'
import { HttpCache } from '../../gateway/http-cache/http-cache.ts'
import { clientAsks } from '../../gateway/http-cache/policy.ts'
import { cacheMetrics } from './cache-metrics.ts'
import { cachedReads, usesCache } from './cached-reads.ts'
import { forwardSpec } from './options.ts'
import { clientResponseHeaders, upstreamRequestHeaders } from './headers.ts'
import { ForwardResponse } from './response-handler.ts'

declare module '../../gateway/plugin-api.ts' {
  interface ServiceMap {
    /**
     * Forwards a request to the root (the fallback route's handler), for what a plugin does not hold.
     * `fromRoot`: never answered from the forward cache nor stored in it (a read a client will write back).
     * `asClient`: a read whose answer depends on who asks (npm whoami, token list): sent with the client's
     * own credentials as a write is, never the site's key, and never cached.
     */
    forward: (ctx: RequestContext, o?: { fromRoot?: boolean; asClient?: boolean }) => Promise<void>
    httpCache: HttpCache
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])
const BODYLESS = new Set(['GET', 'HEAD', 'OPTIONS', 'DELETE'])
/** Why a wait for a connection ended when the client closed its request. */
const CLIENT_LEFT = Symbol('client left')

export const forwardPlugin: GatewayPlugin = {
  name: 'forward',
  options: { forward: forwardSpec },
  enabled: (config) => Boolean(config.root) && section(config, 'forward', forwardSpec).enabled,
  async setup({ config, rootHealth, clock, log }) {
    const o = section(config, 'forward', forwardSpec)
    const root = config.root!
    const client = createRootClient({
      ...root,
      connectTimeout: o.timeouts.connect,
      headersTimeout: o.timeouts.headers,
      bodyTimeout: o.timeouts.body,
      connections: o.connections,
    })
    // Requests take a connection here, not in undici's queue, which has no deadline and keeps a waiter
    // whose client left: one waiting longer than timeouts.queue is answered 503 and leaves the line.
    const connections = new Limiter(o.connections)

    /** A connection once one is free; undefined when the client left meanwhile. */
    const waitForConnection = async (ctx: RequestContext): Promise<Release | undefined> => {
      const ac = new AbortController()
      const timer = clock.setTimeout(() => ac.abort(new GatewayError('GW_ERR_FORWARD_BUSY', undefined, { 'retry-after': '1' })), o.timeouts.queue)
      const left = () => ac.abort(CLIENT_LEFT)
      ctx.res.once('close', left)
      let release: Release | undefined
      try {
        release = await connections.acquire(ac.signal)
        if (ac.signal.reason === CLIENT_LEFT) {
          // The client left in the turn the connection came free.
          release()
          release = undefined
        }
        return release
      } catch (err) {
        if (err === CLIENT_LEFT) return undefined
        throw err
      } finally {
        clock.clearTimeout(timer)
        ctx.res.off('close', left)
        // Admitted, yet nothing went to the root: no verdict on it, and a half-open trial is free again.
        if (!release) rootHealth?.abandon()
      }
    }

    /** A connection for a cache fill, which no one client owns: only the queue deadline ends its wait. */
    const fillConnection = async (): Promise<Release> => {
      const now = connections.tryAcquire()
      if (now) return now
      const ac = new AbortController()
      const timer = clock.setTimeout(() => ac.abort(new GatewayError('GW_ERR_FORWARD_BUSY', undefined, { 'retry-after': '1' })), o.timeouts.queue)
      try {
        return await connections.acquire(ac.signal)
      } finally {
        clock.clearTimeout(timer)
      }
    }

    const cache = o.cache.enabled
      ? await HttpCache.open(
          {
            // Each worker of a site keeps its own folder: the bound and the temp sweep are per process.
            dir: join(o.cache.dir ?? resolve(dirname(config.file), '.fedgate', config.site.name, 'forward-cache'), ...(workerSlot() === undefined ? [] : [`worker-${workerSlot()}`])),
            diskBytes: o.cache.diskBytes,
            memoryBytes: o.cache.memoryBytes,
            maxEntryBytes: Math.min(o.cache.maxEntryBytes, o.cache.diskBytes),
            lockTimeout: o.cache.lockTimeout,
            defaults: o.cache.defaults,
            clientHeaders: (h) => clientResponseHeaders(h as Record<string, string | string[] | undefined>, true),
            onBackgroundError: (key, err) => log.warn({ path: key.split('?')[0], reason: (err as Error)?.message ?? String(err) }, 'background refresh of a cached answer failed'),
          },
          clock,
        )
      : undefined

    const forward = (ctx: RequestContext, how?: { fromRoot?: boolean; asClient?: boolean }): Promise<void> => {
      const write = !SAFE_METHODS.has(ctx.method)
      if (write && !o.allowWrites) throw new GatewayError('GW_ERR_WRITES_DISABLED', undefined, { allow: 'GET, HEAD, OPTIONS' })
      if (how?.asClient === true) return uncached(ctx, true)
      if (cached && !write) return how?.fromRoot !== true && usesCache(ctx, o.passCookies) ? cached(ctx) : uncachedRead(ctx)
      if (!cache || !write) return uncached(ctx, write)
      // A write never reads or fills the cache; one the root accepted makes the entries of its target stale.
      return uncached(ctx, true).finally(() => {
        if (ctx.res.statusCode < 400) cache.invalidate(ctx.rawPath + ctx.query)
      })
    }

    /** `asClient`: with the client's own credentials (a write, or a read about the caller), not the site's key. */
    const uncached = (ctx: RequestContext, asClient: boolean): Promise<void> => {
      rootHealth?.admit()
      ctx.upstream = client.origin
      ctx.cache = 'bypass'
      const release = connections.tryAcquire()
      if (release) return exchange(ctx, asClient, release)
      return waitForConnection(ctx).then((r) => r && exchange(ctx, asClient, r))
    }

    /** A read that does not go through the cache, or found no entry it could take; never one that said only-if-cached (RFC 9111 §5.2.1.7). */
    const uncachedRead = (ctx: RequestContext): Promise<void> => {
      if (clientAsks(ctx.req.headers).onlyIfCached) throw new GatewayError('GW_ERR_NOT_CACHED')
      return uncached(ctx, false)
    }

    const cached = cache && cachedReads({ cache, client, rootHealth, clock, site: config.site.name, passCookies: o.passCookies, connection: fillConnection, forward: uncachedRead })

    const exchange = (ctx: RequestContext, asClient: boolean, release: Release): Promise<void> => {
      const { req, method } = ctx
      const headers = upstreamRequestHeaders(req.headers, {
        siteKey: asClient ? undefined : client.keyHeaders(),
        passCookies: o.passCookies,
        remoteAddress: ctx.remoteAddress,
        secure: ctx.secure,
      })
      return new Promise<void>((resolve, reject) => {
        client.pool.dispatch(
          {
            path: client.basePath + ctx.rawPath + ctx.query,
            method: method as Dispatcher.HttpMethod,
            headers,
            body: BODYLESS.has(method) && !req.headers['content-length'] && !req.headers['transfer-encoding'] ? null : req,
          },
          new ForwardResponse(
            ctx,
            rootHealth,
            !asClient,
            (err) => {
              release()
              if (err) reject(err)
              else resolve()
            },
            asClient ? undefined : client.siteKey(),
          ),
        )
      })
    }

    return {
      routes: [{ name: 'forward', stage: 'fallback', match: () => true, handle: forward }],
      provides: { forward, ...(cache ? { httpCache: cache } : {}) },
      health: () => ({ connections: { busy: connections.active, waiting: connections.waiting }, ...(cache ? { cache: cache.stats() } : {}) }),
      metrics(m) {
        m.gauge('fedgate_forward_connections_busy', 'Requests with the root now (at most forward.connections)', [], () => connections.active)
        m.gauge('fedgate_forward_connections_waiting', 'Requests waiting for a connection to the root', [], () => connections.waiting)
        if (cache) cacheMetrics(m, cache)
      },
      close: () => client.close(),
    }
  },
}
