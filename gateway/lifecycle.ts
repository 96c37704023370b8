// The request lifecycle, written down once (docs/lifecycle.md explains each step):
//   1. guard     – refuse bad targets and framings (400) before anything else runs
//   2. redirect  – a plain-HTTP listener with redirectToHttps answers 308
//   3. route     – first match among the stages: gateway → repository → fallback
//   4. handle    – the route answers; a GatewayError becomes its catalogue status and JSON body
//   5. log       – one line when the response ends or the client goes away
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Logger } from 'pino'
import { GatewayError, sendError } from './errors.ts'
import { checkTarget, checkFraming } from './server/request-guard.ts'
import { routeStages, type RequestContext, type Route } from './plugin-api.ts'
import type { RequestLog } from './request-log.ts'

export interface LifecycleOptions {
  routes: readonly Route[]
  log: Logger
  /** Absent when `log.requests` is off. */
  requestLog?: RequestLog
  encodedSlashAllowed: readonly RegExp[]
  /** Present on a plain-HTTP listener that redirects: builds the https:// URL. */
  redirectTo?: (req: IncomingMessage) => string
  /** Set while stopping: responses carry `connection: close`. */
  draining(): boolean
  onStart(): void
  onEnd(): void
}

export function sortRoutes(routes: readonly Route[]): Route[] {
  return [...routes].sort((a, b) => routeStages.indexOf(a.stage) - routeStages.indexOf(b.stage))
}

export function createRequestHandler(o: LifecycleOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const routes = sortRoutes(o.routes)
  return (req, res) => {
    const started = performance.now()
    o.onStart()
    const ctx = new Context(req, res)
    if (o.draining()) res.setHeader('connection', 'close')

    // 5. log — registered first so it runs however the request ends ('close' is emitted once).
    res.on('close', () => {
      o.onEnd()
      // 499: the client left. An answer the gateway cut short itself (an error after its head went out,
      // e.g. the root failing mid-body) keeps the status the client got, with the error's code beside it.
      const status = res.writableFinished || (ctx.error !== undefined && res.headersSent) ? res.statusCode : 499
      o.requestLog?.write(ctx, status, performance.now() - started)
    })
    // No 'error' listener on req: Node 20 emits it only when one is attached (IncomingMessage's onError),
    // and an aborted request destroys its socket, which closes res and logs the 499 above.

    try {
      // 1. guard
      const target = checkTarget(req.url ?? '/', o.encodedSlashAllowed)
      checkFraming(req)
      ctx.path = target.path
      ctx.rawPath = target.rawPath
      ctx.query = target.query
      // 2. redirect
      if (o.redirectTo) {
        ctx.route = 'redirect'
        res.writeHead(308, { location: o.redirectTo(req), 'content-length': 0 })
        res.end()
        return
      }
      // 3. route
      let route: Route | undefined
      for (let i = 0; i < routes.length && !route; i++) if (routes[i]!.match(ctx)) route = routes[i]
      if (!route) throw new GatewayError('GW_ERR_NOT_FOUND')
      ctx.route = route.name
      // 4. handle
      const done = route.handle(ctx)
      if (done) done.catch((err) => fail(ctx, err, o.log))
    } catch (err) {
      fail(ctx, err, o.log)
    }
  }
}

/** One request's context; the peer address and the scheme are looked up only by the routes that use them. */
class Context implements RequestContext {
  readonly method: string
  path = ''
  rawPath = ''
  query = ''
  route?: string
  upstream?: string
  cache?: RequestContext['cache']
  error?: string
  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
  ) {
    this.method = req.method ?? 'GET'
  }
  get secure(): boolean {
    return Boolean((this.req.socket as { encrypted?: boolean }).encrypted)
  }
  get remoteAddress(): string {
    return this.req.socket.remoteAddress ?? ''
  }
}

function fail(ctx: RequestContext, err: unknown, log: Logger): void {
  const ge = err instanceof GatewayError ? err : new GatewayError('GW_ERR_INTERNAL', undefined, {}, { cause: err })
  ctx.error = ge.code
  if (ge.code === 'GW_ERR_INTERNAL') log.error({ err: (err as Error)?.stack ?? String(err), path: ctx.path }, 'handler failed')
  // Drain what the client sent so the connection can be reused; bounded by the request timeout.
  if (!ctx.req.complete) ctx.req.resume()
  sendError(ctx.res, ge, ctx.method === 'HEAD')
}
