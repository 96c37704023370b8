// One tunnel path: the upgrade is checked (throttle, root health, capacity, token) before anything is
// opened upstream; then the upstream is opened and the two sockets are joined. CLASP peers are accepted
// first, on a place in the HELLO budget (not among maxConnections), and checked on their HELLO, still
// before the upstream is contacted.
import { setMaxListeners } from 'node:events'
import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import type { Logger } from 'pino'
import { GatewayError, sendUpgradeError } from '../../gateway/errors.ts'
import type { UpgradeRoute } from '../../gateway/plugin-api.ts'
import type { RootHealth } from '../../gateway/upstream/root-health.ts'
import type { Clock } from '../../gateway/util/clock.ts'
import type { Infer } from '../../gateway/config/options.ts'
import type { tunnelSpec } from './options.ts'
import { TokenStore } from './token-store.ts'
import { FailureThrottle } from '../../gateway/util/failure-throttle.ts'
import { HelloBudget } from './hello-budget.ts'
import { TunnelMetrics, type RefusalReason } from './metrics.ts'
import { answerProtocol, findCredential, isValidUpgrade, offeredProtocols, type Credential } from './credentials.ts'
import { CLASP_SUBPROTOCOL, MAX_HELLO_FRAME, MalformedHello, parseHello } from './clasp-hello.ts'
import { acceptUpgrade, openUpstream } from './upstream.ts'
import type { Endpoint } from './endpoint.ts'
import { Tunnel, CLOSE_TRY_LATER } from './tunnel.ts'

export type TunnelOptions = Infer<typeof tunnelSpec>

const quietReasons = new Set<RefusalReason>(['throttled', 'helloBusy', 'helloPerAddress'])

export interface TunnelRoute {
  readonly path: string
  readonly upgrade: UpgradeRoute
  readonly tokens: TokenStore
  readonly metrics: TunnelMetrics
  health(): Record<string, unknown>
  close(): Promise<void>
}

export function createTunnelRoute(o: TunnelOptions, deps: { log: Logger; clock: Clock; rootHealth?: RootHealth; ca?: Buffer }): TunnelRoute {
  const { log, clock, rootHealth } = deps
  const tokens = new TokenStore(o.tokens, log)
  const throttle = new FailureThrottle(o.failures, clock)
  const helloBudget = new HelloBudget(o.helloBudget)
  const metrics = new TunnelMetrics()
  const tunnels = new Set<Tunnel>()
  /** CLASP callers accepted and not yet joined (waiting for their HELLO, or for the upstream after it). */
  const waiting = new Set<Endpoint>()
  /** Aborts every upstream being opened, on shutdown. */
  const closing = new AbortController()
  // One listener per upstream being opened, each removed once it opens: many at once is not a leak.
  setMaxListeners(0, closing.signal)
  const upstreamOptions = { url: o.upstream, ca: deps.ca, maxMessageBytes: o.maxMessageBytes, connectTimeout: o.connectTimeout, clock }
  const upstreamName = o.upstream.origin

  const refused = (reason: RefusalReason, address: string) => {
    metrics.refused[reason]++
    // A token or a HELLO judged bad was counted as its judgement began (throttle.attempt); a HELLO that
    // never came had none.
    if (reason === 'helloTimeout') throttle.failed(address)
    // What a flood looks like (throttled, over the HELLO budget): counted, and logged only at debug.
    log[quietReasons.has(reason) ? 'debug' : 'info']({ tunnel: o.path, remote: address, reason }, 'tunnel refused')
  }
  /** The code says which way the tunnel's upstream failed; the cause (ECONNREFUSED, …) says what it hit. */
  const upstreamFailed = (err: GatewayError) =>
    log.warn({ tunnel: o.path, upstream: upstreamName, code: err.code, err: err.message, cause: (err.cause as Error | undefined)?.message }, 'tunnel upstream unavailable')
  const refuseUpgrade = (socket: Duplex, address: string, reason: RefusalReason, err: GatewayError) => {
    refused(reason, address)
    sendUpgradeError(socket, err)
  }
  const throttledError = (wait: number) => new GatewayError('GW_ERR_TOO_MANY_REQUESTS', undefined, { 'retry-after': String(wait) })

  /** What the upstream is told: the site's own token where configured, else the caller's, where it put it. */
  const upstreamCredentials = (offered: string[], cred: Credential, req: IncomingMessage) => {
    const headers: Record<string, string> = {}
    const tokenEntry = cred.where === 'protocol' ? cred.entry : undefined
    let protocols = offered.filter((p) => p !== tokenEntry)
    if (o.upstreamToken) headers.authorization = `Bearer ${o.upstreamToken.reveal()}`
    else if (cred.where === 'authorization') headers.authorization = req.headers.authorization!
    else if (tokenEntry !== undefined) protocols = offered
    return { headers, protocols }
  }

  const join = (caller: Endpoint, upstream: Endpoint, address: string) => {
    const tunnel = new Tunnel(caller, upstream, metrics, () => clock.now(), (t, { by, code }) => {
      tunnels.delete(t)
      metrics.open--
      log.info({ tunnel: o.path, remote: address, closedBy: by, code }, 'tunnel closed')
    })
    tunnels.add(tunnel)
    metrics.open++
    metrics.opened++
    log.debug({ tunnel: o.path, remote: address, upstream: upstreamName }, 'tunnel open')
    return tunnel
  }

  /** Authorization header or protocol entry: checked, then the upstream opened, then the caller upgraded. */
  /** Counts a tunnel as pending until settle() is first called (which answers true that once). */
  const pendingSlot = () => {
    metrics.pending++
    const slot = {
      settled: false,
      settle: () => {
        if (slot.settled) return false
        slot.settled = true
        metrics.pending--
        return true
      },
    }
    return slot
  }

  const tunnelChecked = (req: IncomingMessage, socket: Duplex, head: Buffer, address: string, offered: string[], cred: Credential) => {
    const attempt = throttle.attempt(address)
    if (attempt.retryAfter > 0) return refuseUpgrade(socket, address, 'throttled', throttledError(attempt.retryAfter))
    if (cred.where === 'hello' || cred.where === 'none' || !tokens.accepts(cred.token)) {
      return refuseUpgrade(socket, address, 'token', new GatewayError('GW_ERR_UNAUTHORIZED', undefined, { 'www-authenticate': 'Bearer' }))
    }
    attempt.passed()
    const { settle } = pendingSlot()
    const { headers, protocols } = upstreamCredentials(offered, cred, req)
    let upstream: Endpoint | undefined
    // A caller that leaves before the join must not leave an upstream open.
    socket.once('close', () => {
      if (settle()) upstream?.destroy()
    })
    openUpstream(upstreamOptions, protocols, headers, closing.signal).then(
      (up) => {
        upstream = up
        const caller = settle() ? acceptUpgrade(req, socket, head, answerProtocol(offered, cred.where === 'protocol' ? cred.entry : undefined, up.protocol) ?? '', o.maxMessageBytes, clock) : undefined
        if (caller === undefined) return void up.destroy()
        join(caller, up, address)
      },
      (err: GatewayError) => {
        if (!settle()) return
        // Aborted by the stop, not refused by the upstream.
        if (closing.signal.aborted) return sendUpgradeError(socket, new GatewayError('GW_ERR_STOPPING'))
        upstreamFailed(err)
        refuseUpgrade(socket, address, 'upstream', err)
      },
    )
  }

  /**
   * A CLASP peer: accepted with subprotocol clasp on a place in the HELLO budget, its HELLO read within a
   * deadline and checked; only then does it take a place among maxConnections and is the upstream opened.
   */
  const tunnelClasp = (req: IncomingMessage, socket: Duplex, head: Buffer, address: string, offered: string[], place: { release(): void }) => {
    metrics.awaitingHello++
    let awaiting = true
    /** Leaves the HELLO budget, once: HELLO arrived (whatever it says), or the caller is gone. */
    const helloDone = () => {
      if (!awaiting) return
      awaiting = false
      metrics.awaitingHello--
      place.release()
    }
    /** Its place among maxConnections, from a good HELLO until it is joined or gone. */
    let slot: ReturnType<typeof pendingSlot> | undefined
    let settled = false
    /** Refused, joined or gone: frees what the caller holds; true the first time only. */
    const settle = () => {
      helloDone()
      slot?.settle()
      if (settled) return false
      settled = true
      return true
    }
    socket.once('close', () => void settle())
    const caller = acceptUpgrade(req, socket, head, CLASP_SUBPROTOCOL, o.maxMessageBytes, clock)
    if (caller === undefined) return void settle()
    waiting.add(caller)
    const refuse = (reason: RefusalReason, code: number, why: string) => {
      if (!settle()) return
      refused(reason, address)
      caller.sendClose(code, why)
    }
    const timer = clock.setTimeout(() => refuse('helloTimeout', 1008, 'no HELLO in time'), o.helloTimeout)
    const onHello = (data: Buffer, isBinary: boolean) => {
      // Reading is paused from here: what the caller sends next waits for the upstream.
      clock.clearTimeout(timer)
      if (settled) return
      helloDone()
      // The throttle was checked at the upgrade, before this caller waited: callers that all connected
      // first would have every HELLO judged. Checked again now, and counted in the same step.
      const attempt = throttle.attempt(address)
      if (attempt.retryAfter > 0) return refuse('throttled', 1008, `too many failed attempts from this address; try again in ${attempt.retryAfter} s`)
      let first: Buffer
      try {
        if (!isBinary) throw new MalformedHello('HELLO must be a binary frame')
        const hello = parseHello(data)
        if (!tokens.accepts(hello.token)) return refuse('token', 1008, 'token refused')
        first = o.upstreamToken ? hello.withToken(o.upstreamToken.reveal()) : data
      } catch (e) {
        if (!(e instanceof MalformedHello)) throw e
        return refuse('helloMalformed', 1002, e.message)
      }
      attempt.passed()
      // Authenticated: from here it is a tunnel being opened like any other.
      if (metrics.open + metrics.pending >= o.maxConnections) return refuse('full', CLOSE_TRY_LATER, 'tunnel full; try again later')
      slot = pendingSlot()
      const { headers, protocols } = upstreamCredentials(offered, { where: 'hello' }, req)
      openUpstream(upstreamOptions, protocols, headers, closing.signal).then(
        (up) => {
          if (!settle() || caller.closeSent || caller.closeReceived || caller.socket.destroyed) return void up.destroy()
          waiting.delete(caller)
          up.send(first)
          join(caller, up, address)
        },
        (err: GatewayError) => {
          if (closing.signal.aborted) return // close() is closing the caller
          upstreamFailed(err)
          refuse('upstream', CLOSE_TRY_LATER, 'upstream unavailable; try again later')
        },
      )
    }
    caller.collectFirst(MAX_HELLO_FRAME)
    caller.listen({
      collected: onHello,
      gone: () => {
        clock.clearTimeout(timer)
        waiting.delete(caller)
      },
    })
  }

  const handle = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const address = req.socket.remoteAddress ?? 'unknown'
    if (!isValidUpgrade(req)) return refuseUpgrade(socket, address, 'badRequest', new GatewayError('GW_ERR_BAD_REQUEST', 'not a WebSocket (version 13) upgrade'))
    const wait = throttle.retryAfter(address)
    if (wait > 0) return refuseUpgrade(socket, address, 'throttled', throttledError(wait))
    if (o.followRootHealth && rootHealth?.state === 'down') {
      return refuseUpgrade(socket, address, 'rootDown', new GatewayError('GW_ERR_ROOT_DOWN', undefined, { 'retry-after': String(rootHealth.breaker.retryAfterSeconds()) }))
    }
    if (metrics.open + metrics.pending >= o.maxConnections) return refuseUpgrade(socket, address, 'full', new GatewayError('GW_ERR_TUNNEL_FULL', undefined, { 'retry-after': '1' }))
    const offered = offeredProtocols(req)
    const cred = findCredential(req, offered, o.tokenProtocolPrefix)
    if (cred.where === 'hello') {
      const place = helloBudget.take(address)
      // By the deadline at the latest, one of the address's waiting sockets has left the budget.
      if (place === 'address') return refuseUpgrade(socket, address, 'helloPerAddress', new GatewayError('GW_ERR_TUNNEL_HELLO_PER_ADDRESS', undefined, { 'retry-after': String(Math.max(1, Math.ceil(o.helloTimeout / 1000))) }))
      if (place === 'full') return refuseUpgrade(socket, address, 'helloBusy', new GatewayError('GW_ERR_TUNNEL_HELLO_BUSY', undefined, { 'retry-after': '1' }))
      return tunnelClasp(req, socket, head, address, offered, place)
    }
    tunnelChecked(req, socket, head, address, offered, cred)
  }

  // One sweep for all tunnels of the path: keep-alive pings and idle timeouts.
  const sweepEvery = Math.max(50, Math.min(o.pingInterval, o.idleTimeout || Infinity, 1000))
  let lastPing = clock.now()
  let sweepTimer: unknown
  const sweep = () => {
    const now = clock.now()
    const ping = now - lastPing >= o.pingInterval
    if (ping) lastPing = now
    for (const t of tunnels) {
      if (o.idleTimeout > 0 && now - t.lastActivity >= o.idleTimeout) t.close(1001, 'idle timeout')
      else if (ping) t.keepAlive()
    }
    sweepTimer = clock.setTimeout(sweep, sweepEvery)
  }
  sweepTimer = clock.setTimeout(sweep, sweepEvery)

  return {
    path: o.path,
    upgrade: { name: `tunnel ${o.path}`, match: (_req, path) => path === o.path, handle },
    tokens,
    metrics,
    health: () => ({ path: o.path, upstream: upstreamName, tokens: tokens.size, tokenReloads: tokens.reloads, ...metrics.snapshot(), throttledAddresses: throttle.throttled() }),
    async close() {
      clock.clearTimeout(sweepTimer)
      closing.abort()
      tokens.close()
      for (const t of tunnels) t.close(1001, 'gateway shutting down')
      for (const caller of waiting) caller.sendClose(1001, 'gateway shutting down')
      // A peer gets a moment to answer the close frame; then its socket is cut, so shutdown stays bounded.
      for (let i = 0; i < 20 && tunnels.size + waiting.size > 0; i++) await new Promise((r) => setTimeout(r, 50))
      for (const t of tunnels) t.destroy()
      for (const caller of waiting) caller.destroy()
    },
  }
}
