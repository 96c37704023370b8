// Puts a site together from its config: certificates, root health, plugins, listeners; and takes it apart.
import cluster from 'node:cluster'
import https from 'node:https'
import http from 'node:http'
import net, { type AddressInfo, type Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import { basename } from 'node:path'
import { logConfigWarnings, type SiteConfig } from './config/load.ts'
import { createLogger, exitAfterLog, stdoutDestination, type LogDestination, type Logger } from './log.ts'
import { HotAnswers } from './hot-answers.ts'
import { RequestLog } from './request-log.ts'
import { systemClock, type Clock } from './util/clock.ts'
import { ensureSiteCertificates } from './tls/certificates.ts'
import { TlsContexts } from './tls/tls-contexts.ts'
import { createRootClient, type RootClient } from './upstream/root-client.ts'
import { RootHealth } from './upstream/root-health.ts'
import { createRequestHandler } from './lifecycle.ts'
import { handleClientError } from './server/client-errors.ts'
import { PublicUrls } from './server/public-url.ts'
import { SendWatch } from './server/send-watch.ts'
import { continueOnRead } from './server/expect-continue.ts'
import { defaultMaxConnections } from './util/fd-limit.ts'
import { healthRoute, type BareHealth } from './health.ts'
import type { AdminCheck, GatewayPlugin, PluginInstance, Route, ServiceMap, ServiceName, Services, UpgradeRoute } from './plugin-api.ts'
import { sendUpgradeError, destroyOnceSent, GatewayError } from './errors.ts'
import { MetricsRegistry } from './metrics/registry.ts'
import { RequestTally } from './metrics/request-tally.ts'
import { metricsRoute, startMetricsListener } from './metrics/route.ts'
import { coreMetrics } from './metrics/core-metrics.ts'

export interface StartOptions {
  plugins: readonly GatewayPlugin[]
  clock?: Clock
  /** Where log lines go (tests capture them); default stdout. */
  logDestination?: LogDestination
  /** Do not install SIGTERM/SIGINT handlers (tests, the demo). */
  noSignals?: boolean
}

export interface Gateway {
  readonly config: SiteConfig
  readonly log: Logger
  readonly httpsPort: number
  readonly httpPort?: number
  readonly url: string
  readonly rootHealth?: RootHealth
  readonly rootClient?: RootClient
  readonly tls: TlsContexts
  readonly caFile: string
  /** Named services the plugins offer (for tests and the CLI). */
  service<T>(name: string): T | undefined
  /** What /health shows with an admin key. */
  health(): Record<string, unknown>
  /** The port of the `metrics.listen` listener, when there is one. */
  readonly metricsPort?: number
  /** Graceful: stop accepting, let in-flight requests finish (bounded by shutdown.grace), close. */
  close(): Promise<void>
}

export async function startGateway(config: SiteConfig, opts: StartOptions): Promise<Gateway> {
  const clock = opts.clock ?? systemClock
  const logDestination = opts.logDestination ?? stdoutDestination()
  const log = createLogger({ level: config.log.level, site: config.site.name, destination: logDestination })
  const started = clock.now()

  // With workers, their primary has said them.
  if (!cluster.isWorker) logConfigWarnings(config, log)
  const certs = ensureSiteCertificates(config, log)
  const tls = new TlsContexts({ cert: certs.cert, key: certs.key }, config.tls.sni, log)
  const serverOptions = {
    maxHeaderSize: config.limits.maxHeaderBytes,
    headersTimeout: config.limits.headersTimeout,
    requestTimeout: config.limits.requestTimeout,
    keepAliveTimeout: config.limits.keepAliveTimeout,
    // How often Node checks header/request timeouts; its 30 s default would let slow clients linger.
    connectionsCheckingInterval: Math.min(1000, config.limits.headersTimeout),
    // The guard refuses a missing Host itself (request-guard.ts), in the catalogue and the log.
    requireHostHeader: false,
  }
  // Made before the plugins: the server's build of the default pair's context (the only one) is that
  // pair's check, and a bad pair stops the start before anything else runs. Its request handler comes
  // once the routes are known. A connection that never finishes its TLS handshake holds a place under
  // maxConnections like a slow head does: the same bound (Node's own is 120 s, so a trickle of silent
  // sockets filled the listener).
  const httpsServer = tls.serve((o) => https.createServer({ ...serverOptions, handshakeTimeout: config.limits.headersTimeout, ...o, SNICallback: tls.select }))

  let rootClient: RootClient | undefined
  let probeClient: RootClient | undefined
  let rootHealth: RootHealth | undefined
  if (config.root) {
    // Sync's pool. Probes have their own connection, and client-driven work (forwarding, npm's proxied
    // packuments) its own pools: however busy clients keep those, the probes and syncs get through.
    rootClient = createRootClient({ ...config.root, connectTimeout: 5000, headersTimeout: 30_000, connections: 16 })
    const probe = config.root.health
    probeClient = createRootClient({ ...config.root, connectTimeout: probe.timeout, headersTimeout: probe.timeout, connections: 1 })
    rootHealth = new RootHealth(probeClient, probe, clock, log.child({ component: 'root-health' }))
  }

  const services = new Map<ServiceName, unknown>()
  if (rootClient) services.set('rootClient', rootClient)
  const instances: { name: string; instance: PluginInstance }[] = []
  const closeAll = async () => {
    for (const { instance } of instances.reverse()) await instance.close?.().catch((err) => log.error({ err: String(err) }, 'plugin close failed'))
    rootHealth?.stop()
    await rootClient?.close().catch(() => {})
    await probeClient?.close().catch(() => {})
    tls.close()
  }
  // A plugin that does not run for this site has no say anywhere, the request guard included.
  const active = opts.plugins.filter((p) => !p.enabled || p.enabled(config))
  try {
    for (const plugin of active) {
      for (const name of plugin.needs ?? []) {
        if (!services.has(name)) throw new Error(`the ${plugin.name} plugin needs the "${name}" service, which no plugin set up before it provides`)
      }
      const instance = await plugin.setup({
        config,
        log: log.child({ plugin: plugin.name }),
        clock,
        rootHealth,
        siteHealth: () => health(),
        services: declaredServices(plugin, services),
      })
      for (const [k, v] of Object.entries(instance.provides ?? {})) services.set(k as ServiceName, v)
      instances.push({ name: plugin.name, instance })
    }
  } catch (err) {
    await closeAll()
    throw err
  }

  const hotAnswers = config.hotAnswers.bytes > 0 ? new HotAnswers(config.hotAnswers.bytes) : undefined
  const bare = (): BareHealth => ({ status: !rootHealth || rootHealth.state === 'up' ? 'ok' : 'degraded' })
  const health = (): Record<string, unknown> => {
    const out: Record<string, unknown> = {
      site: config.site.name,
      role: config.site.role,
      ...bare(),
      startedAt: new Date(started).toISOString(),
      // Which process answered: with `workers`, each serves /health for itself.
      process: { pid: process.pid, worker: cluster.worker?.id ?? null },
      root: rootHealth ? rootHealth.snapshot() : null,
      hotAnswers: hotAnswers?.stats() ?? null,
      // A counter, not a rate: a reader (the admin page) derives rates from two reads.
      requests: { total: requests, inFlight },
    }
    for (const { name, instance } of instances) if (instance.health) out[name] = instance.health()
    return out
  }

  const isAdmin = services.get('adminCheck') as ServiceMap['adminCheck'] | undefined
  const metrics = config.metrics.enabled ? new MetricsRegistry() : undefined
  const routes: Route[] = [
    healthRoute({ bare, detail: health, isAdmin }),
    ...(metrics && !config.metrics.listen ? [metricsRoute(metrics, isAdmin)] : []),
    ...instances.flatMap((i) => i.instance.routes ?? []),
  ]
  const tally = metrics ? new RequestTally(routes) : undefined
  if (metrics && tally) {
    coreMetrics(metrics, { tally, rootHealth, hotAnswers, started })
    for (const { instance } of instances) instance.metrics?.(metrics)
  }
  const upgrades: UpgradeRoute[] = instances.flatMap((i) => i.instance.upgrades ?? [])
  const encodedSlashAllowed = active.flatMap((p) => p.encodedSlashAllowed ?? [])
  let draining = false
  let inFlight = 0
  let requests = 0
  let idle: (() => void) | undefined
  const requestLog = config.log.requests ? new RequestLog(log, logDestination) : undefined
  let httpsPort = 0
  const publicUrls = new PublicUrls({
    publicUrl: config.site.publicUrl,
    certificateNames: () => tls.names,
    hosts: [...config.tls.hosts, ...config.site.hosts],
    trustedProxies: config.site.trustedProxies,
    httpsPort: () => httpsPort,
  })
  const sendWatch = config.limits.sendTimeout > 0 ? new SendWatch(config.limits.sendTimeout, clock) : undefined
  const handlerOptions = {
    routes,
    publicUrls,
    log,
    requestLog,
    tally,
    hotAnswers,
    encodedSlashAllowed,
    sendWatch,
    draining: () => draining,
    onStart: () => {
      inFlight++
      requests++
    },
    onEnd: () => {
      if (--inFlight === 0) idle?.()
    },
  }
  const httpsHandler = createRequestHandler(handlerOptions)
  httpsServer.on('request', httpsHandler)
  const handlers = new Map<http.Server, http.RequestListener>([[httpsServer, httpsHandler]])
  if (config.tls.watch) tls.watch((o) => httpsServer.setSecureContext(o))
  const servers: (http.Server | https.Server)[] = [httpsServer]

  /** Sockets the HTTP server no longer tracks (upgraded, or refused before routing); cut at stop after the grace. */
  const detached = new Set<Duplex>()
  const detach = (socket: Duplex) => {
    // Past an upgrade a tunnel bounds its own sends (backpressure, idle timeout, ping/pong).
    sendWatch?.forget(socket as Socket)
    detached.add(socket)
    socket.once('close', () => detached.delete(socket))
    socket.on('error', () => socket.destroy())
  }
  const onUpgrade = (server: http.Server, secure: boolean) => (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    if (draining) {
      detach(socket)
      return sendUpgradeError(socket, new GatewayError('GW_ERR_STOPPING'))
    }
    const path = (req.url ?? '/').split('?')[0]!
    const route = isWebSocket(req) ? upgrades.find((u) => u.match(req, path)) : undefined
    // An upgrade nobody takes (h2c from curl --http2 or Java's client, or no tunnel at this path) is
    // still a request: answered as one, with the guard, in-flight count and request log.
    if (!route) return replayAsRequest(server, secure, req, socket, head)
    detach(socket)
    route.handle(req, socket, head)
  }
  httpsServer.on('upgrade', onUpgrade(httpsServer, true))

  let httpServer: http.Server | undefined
  if (config.listen.http) {
    const redirect = config.listen.http.redirectToHttps
    const httpHandler = createRequestHandler({
      ...handlerOptions,
      redirectTo: redirect ? (req) => publicUrls.redirect(req) : undefined,
    })
    httpServer = http.createServer(serverOptions, httpHandler)
    handlers.set(httpServer, httpHandler)
    if (!redirect) httpServer.on('upgrade', onUpgrade(httpServer, false))
    servers.push(httpServer)
  }
  const maxConnections = config.limits.maxConnections ?? defaultMaxConnections()
  let dropped = 0
  let dropLogged = -Infinity
  for (const s of servers) {
    // Over the bound, Node closes a new connection as it is accepted, before TLS or parsing.
    s.maxConnections = maxConnections
    s.on('drop', () => {
      dropped++
      // One line per ten seconds at most: a flood must not turn into a flood of log lines.
      if (clock.now() - dropLogged < 10_000) return
      dropLogged = clock.now()
      log.warn({ maxConnections, dropped }, 'connection refused: the listener holds limits.maxConnections connections')
      dropped = 0
    })
    s.on('clientError', (err, socket) => {
      handleClientError(err, socket, log)
      if (socket.destroyed) return
      detach(socket)
      destroyOnceSent(socket)
    })
    s.on('tlsClientError', (err) => log.debug({ err: err.message }, 'tls handshake failed'))
    const handler = handlers.get(s)!
    // Node would answer these itself (100 Continue before any check; 417), outside the lifecycle.
    s.on('checkContinue', (req: http.IncomingMessage, res: http.ServerResponse) => {
      continueOnRead(req, res)
      handler(req, res)
    })
    s.on('checkExpectation', handler)
    // Node drops a CONNECT's socket without a word when no one listens.
    s.on('connect', (req: http.IncomingMessage, socket: Duplex) => {
      log.warn({ refused: 'GW_ERR_METHOD_NOT_ALLOWED', reason: 'CONNECT', remote: (socket as Socket).remoteAddress }, 'request refused before routing')
      detach(socket)
      sendUpgradeError(socket, new GatewayError('GW_ERR_METHOD_NOT_ALLOWED', 'CONNECT is not served by this gateway'))
    })
  }

  let metricsListener: Awaited<ReturnType<typeof startMetricsListener>> | undefined
  try {
    // A port taken names the file and the listener's option: with both listeners on one host, which one to move.
    const where = (option: string) => `${basename(config.file)}: ${option}`
    await listen(httpsServer, config.listen.https.port, config.listen.https.host, where('listen.https'))
    httpsPort = (httpsServer.address() as AddressInfo).port
    if (httpServer && config.listen.http) await listen(httpServer, config.listen.http.port, config.listen.http.host, where('listen.http'))
    if (metrics && config.metrics.listen) metricsListener = await startMetricsListener(metrics, config.metrics.listen.host, config.metrics.listen.port, where('metrics.listen'))
  } catch (err) {
    for (const s of servers) s.close()
    sendWatch?.stop()
    await closeAll()
    metrics?.close()
    throw err
  }
  rootHealth?.start()
  const httpPort = httpServer ? (httpServer.address() as AddressInfo).port : undefined
  const url = `https://localhost:${httpsPort}`
  log.info({ https: httpsPort, http: httpPort, metrics: metricsListener?.port, role: config.site.role, root: rootClient?.origin }, 'fedgate listening')

  let closing: Promise<void> | undefined
  const close = () =>
    (closing ??= (async () => {
      draining = true
      await metricsListener?.close()
      log.info({ inFlight }, 'stopping: no new connections, finishing in-flight requests')
      let graceTimer: unknown
      // The system's clock, not the site's: a stop must end in real time, whatever a test's fake clock does.
      const graceOver = new Promise<void>((r) => (graceTimer = systemClock.setTimeout(r, config.shutdown.grace)))
      // The listeners stop accepting: net.Server's close, not http.Server's, which since Node 19 also cuts
      // every connection Node counts idle, and Node counts one idle once its answer has ended, even while
      // the answer's bytes still wait in the socket for a slow reader. Such an answer is in flight until
      // its response closes; until none is, a request on an idle connection is answered with
      // `connection: close`. Then http.Server's close ends its timeout checks, and every connection goes.
      const closed = Promise.all(servers.map((s) => new Promise<void>((r) => net.Server.prototype.close.call(s, () => r()))))
      if (inFlight > 0) await Promise.race([new Promise<void>((r) => (idle = r)), graceOver])
      for (const s of servers) s.close().closeAllConnections()
      // Plugins close first: upgraded sockets (tunnels) still count as server connections until they end.
      await closeAll()
      metrics?.close()
      // closeAllConnections does not reach upgraded or refused sockets: whatever is left of them after
      // the grace is cut, so no client can hold the stop.
      await Promise.race([closed, graceOver])
      for (const s of detached) s.destroy()
      await closed
      sendWatch?.stop()
      systemClock.clearTimeout(graceTimer)
      requestLog?.flush()
      log.info('stopped')
    })())

  if (!opts.noSignals) {
    let stopSignal: string | undefined
    const onSignal = (sig: string) => {
      // Kept for the whole stop: a repeated signal (systemd signals the whole group, and a primary passes
      // it on too) would otherwise meet the default action and cut the in-flight requests.
      if (stopSignal) return log.info({ signal: sig, pid: process.pid }, 'signal received while stopping: ignored')
      stopSignal = sig
      log.info({ signal: sig, pid: process.pid }, 'signal received')
      close().then(
        () => exitAfterLog(logDestination, 0),
        () => exitAfterLog(logDestination, 1),
      )
    }
    process.on('SIGTERM', onSignal)
    process.on('SIGINT', onSignal)
    process.on('SIGHUP', () => tls.reload((o) => httpsServer.setSecureContext(o)))
  }

  return {
    config,
    log,
    httpsPort,
    httpPort,
    url,
    rootHealth,
    rootClient,
    tls,
    caFile: certs.ca,
    service: <T>(name: string) => services.get(name as ServiceName) as T | undefined,
    health,
    metricsPort: metricsListener?.port,
    close,
  }
}

function listen(server: http.Server, port: number, host: string, option: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      reject(new Error(`${option}: cannot listen on ${host}:${port}: ${err.code === 'EADDRINUSE' ? 'the port is in use' : err.code ?? err.message}`))
    }
    server.once('error', onError)
    server.listen(port, host, () => {
      server.off('error', onError)
      resolve()
    })
  })
}

function isWebSocket(req: http.IncomingMessage): boolean {
  return (req.headers.upgrade ?? '').split(',').some((p) => p.trim().toLowerCase() === 'websocket')
}

/**
 * Gives an upgrade request back to its server as the plain request it also is (RFC 9110 §7.8 lets a
 * server ignore Upgrade). Node has already consumed the head, so it is rebuilt from the raw headers,
 * without Upgrade and the Connection token naming it, never longer than it came (no space after the
 * colon); the body and anything pipelined follow in `head`. The server then parses and answers it like
 * any request, with its keep-alive, timeouts and graceful close.
 */
function replayAsRequest(server: http.Server, secure: boolean, req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
  const lines = [`${req.method} ${req.url} HTTP/${req.httpVersion}`]
  const raw = req.rawHeaders
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!
    const lower = name.toLowerCase()
    if (lower === 'upgrade') continue
    if (lower === 'connection') {
      const rest = raw[i + 1]!.split(',').map((t) => t.trim()).filter((t) => t && t.toLowerCase() !== 'upgrade')
      if (rest.length) lines.push(`${name}:${rest.join(',')}`)
      continue
    }
    lines.push(`${name}:${raw[i + 1]}`)
  }
  socket.unshift(Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), head]))
  // https.Server runs Node's HTTP connection handling on 'secureConnection' (its 'connection' is TLS's).
  server.emit(secure ? 'secureConnection' : 'connection', socket)
}

/** What a plugin may look up: the services it declared (`needs`, `uses`), nothing else. */
function declaredServices(plugin: GatewayPlugin, provided: ReadonlyMap<ServiceName, unknown>): Services {
  const declared = (name: ServiceName, o: { needed: boolean }): void => {
    if (!(plugin.needs?.includes(name) || (!o.needed && plugin.uses?.includes(name)))) {
      throw new Error(`the ${plugin.name} plugin looks up the "${name}" service without declaring it in ${o.needed ? 'needs' : 'needs or uses'}`)
    }
  }
  return {
    get: <K extends ServiceName>(name: K) => {
      declared(name, { needed: false })
      return provided.get(name) as ServiceMap[K] | undefined
    },
    need: <K extends ServiceName>(name: K) => {
      declared(name, { needed: true })
      return provided.get(name) as ServiceMap[K]
    },
  }
}
