// The request lifecycle, written down once (docs/lifecycle.md explains each step):
//   1. repeat    – a plain GET of a target whose route offered its answer for reuse gets that answer again
//   2. guard     – refuse bad targets and framings (400) before anything else runs
//   3. redirect  – a plain-HTTP listener with redirectToHttps answers 308
//   4. route     – first match among the stages: gateway → repository → fallback
//   5. handle    – the route answers; a GatewayError becomes its catalogue status and JSON body
//   6. log       – one line when the response ends or the client goes away
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Logger } from 'pino'
import { GatewayError, sendError } from './errors.ts'
import { isPlainGet, routedOn, type HotAnswer, type HotAnswers, type ReusableAnswer } from './hot-answers.ts'
import { checkTarget, checkFraming } from './server/request-guard.ts'
import type { PublicUrls } from './server/public-url.ts'
import { routeStages, type RequestContext, type Route } from './plugin-api.ts'
import type { LoggedRequest, RequestLog } from './request-log.ts'
import type { SendWatch } from './server/send-watch.ts'
import { answerClosed, trackAnswer } from './server/queued-answers.ts'
import { awaitsContinue } from './server/expect-continue.ts'
import type { RequestTally } from './metrics/request-tally.ts'

export interface LifecycleOptions {
  routes: readonly Route[]
  log: Logger
  /** Absent when `log.requests` is off. */
  requestLog?: RequestLog
  /** Absent when `metrics.enabled` is off: requests counted for /metrics where they are logged. */
  tally?: RequestTally
  /** Absent when `hotAnswers.bytes` is 0; never used on a listener that redirects. */
  hotAnswers?: HotAnswers
  encodedSlashAllowed: readonly RegExp[]
  /** Each request's public base URL (ctx.publicUrl). */
  publicUrls: PublicUrls
  /** Absent when `limits.sendTimeout` is 0: cuts answers the client stops taking. */
  sendWatch?: SendWatch
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

/** For each route, the request headers routing reads to reach it: its own `matchHeaders` and those of the routes before it. */
function headersRoutedOn(routes: readonly Route[]): (readonly string[])[] {
  const names: string[] = []
  return routes.map((r) => {
    for (const h of r.matchHeaders ?? []) if (!names.includes(h)) names.push(h)
    if (names.length > 31) throw new Error('routes match on more than 31 request headers') // isPlainGet keeps a bit each
    return [...names]
  })
}

export function createRequestHandler(o: LifecycleOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const routes = sortRoutes(o.routes)
  const routedOnNames = headersRoutedOn(routes)
  const hot = o.redirectTo ? undefined : o.hotAnswers
  return (req, res) => {
    const started = performance.now()
    // 1. repeat — before the guard: only a target that passed it once was ever offered, kept as sent.
    if (hot !== undefined && req.method === 'GET') {
      const entry = hot.get(req.url!)
      if (entry !== undefined && !o.draining() && isPlainGet(req, entry.routedOn)) return repeat(o, res, entry, started)
    }
    const ctx = new Context(req, res, hot, o.publicUrls)
    if (o.draining()) res.setHeader('connection', 'close')
    // 6. log — registered first so it runs however the request ends ('close' is emitted once).
    logOnClose(o, res, ctx, started)
    // No 'error' listener on req: Node 20 emits it only when one is attached (IncomingMessage's onError),
    // and an aborted request destroys its socket, which closes res and logs the 499 above.

    try {
      // 2. guard
      const target = checkTarget(req.url ?? '/', o.encodedSlashAllowed)
      ctx.path = target.path
      ctx.rawPath = target.rawPath
      ctx.query = target.query
      checkFraming(req)
      // 3. redirect
      if (o.redirectTo) {
        ctx.route = 'redirect'
        res.writeHead(308, { location: o.redirectTo(req), 'content-length': 0 })
        res.end()
        return
      }
      // 4. route
      let i = 0
      while (i < routes.length && !routes[i]!.match(ctx)) i++
      const route = routes[i]
      if (!route) throw new GatewayError('GW_ERR_NOT_FOUND')
      ctx.route = route.name
      ctx.routedOn = routedOnNames[i]!
      // 5. handle
      const done = route.handle(ctx)
      if (done) done.catch((err) => fail(ctx, err, o.log))
    } catch (err) {
      fail(ctx, err, o.log)
    }
  }
}

/**
 * Counts the request in flight (and watches that the client takes its answer) until its response closes,
 * then logs it. 499: the client left. An answer the gateway cut short itself (an error after its head
 * went out, e.g. the root failing mid-body, or the client taking nothing for `limits.sendTimeout`) keeps
 * the status the client got, with the error's code beside it.
 */
function logOnClose(o: LifecycleOptions, res: ServerResponse, logged: LoggedRequest, started: number, repeated = false): void {
  o.onStart()
  // The request's socket: a pipelined answer has none of its own until the one before it is done.
  const socket = res.req.socket
  o.sendWatch?.add(socket)
  trackAnswer(socket, res)
  res.on('close', () => {
    if (!answerClosed(socket, res)) return
    o.onEnd()
    const ms = performance.now() - started
    // A repeated answer's `logged` is shared by every repeat: the cut's code goes on a copy.
    // A pipelined answer queued behind the one that stalled was never started: the client left it.
    const cut = o.sendWatch?.cut(socket) === true && res.headersSent
    const status = cut || res.writableFinished || (logged.error !== undefined && res.headersSent) ? res.statusCode : 499
    const line = cut ? { ...logged, error: 'GW_ERR_SEND_TIMEOUT' } : logged
    o.requestLog?.write(line, status, ms)
    if (o.tally !== undefined) {
      if (repeated) o.tally.repeat(ms, status)
      else o.tally.record(line.route, status, ms, line.error)
    }
  })
}

function repeat(o: LifecycleOptions, res: ServerResponse, { answer, logged }: HotAnswer, started: number): void {
  res.writeHead(200, answer.headers)
  res.end(answer.body)
  // Every byte was already handed to the kernel: nothing is left in flight, so the line is written now and
  // no listener is needed. Otherwise (a slow reader) the answer is counted and logged like any other.
  if (res.writableLength === 0 && res.socket?.destroyed === false) {
    const ms = performance.now() - started
    o.requestLog?.write(logged, 200, ms)
    o.tally?.repeat(ms, 200)
  } else logOnClose(o, res, logged, started, true)
}

const NO_HEADERS: readonly string[] = []

/** One request's context; the peer address, the scheme and the public URL are looked up only by the routes that use them. */
class Context implements RequestContext {
  readonly method: string
  path = ''
  rawPath = ''
  query = ''
  route?: string
  upstream?: string
  cache?: RequestContext['cache']
  error?: string
  /** The request headers routing read to reach this request's route, for an offer's `RoutedOn`. */
  routedOn: readonly string[] = NO_HEADERS
  readonly #hot: HotAnswers | undefined
  readonly #publicUrls: PublicUrls
  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    hot: HotAnswers | undefined,
    publicUrls: PublicUrls,
  ) {
    this.method = req.method ?? 'GET'
    this.#hot = hot
    this.#publicUrls = publicUrls
  }
  reusable(answer: ReusableAnswer): void {
    if (this.#hot === undefined || !isPlainGet(this.req)) return
    const logged = Object.freeze({ method: 'GET', path: this.path, route: this.route, cache: this.cache })
    this.#hot.offer(this.req.url!, { answer, logged, routedOn: routedOn(this.req, this.routedOn) })
  }
  get secure(): boolean {
    return Boolean((this.req.socket as { encrypted?: boolean }).encrypted)
  }
  get publicUrl(): string {
    return this.#publicUrls.base(this.req)
  }
  get remoteAddress(): string {
    return this.req.socket.remoteAddress ?? ''
  }
}

/** Does the request come with a body (Node counts even a GET incomplete until its parser's next step)? */
function announcesBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length']
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0')
}

/** Refusals of who the client is or of its body's size: the rest of such a body is not worth reading. */
const CLOSE_UNREAD = new Set([401, 403, 413])

function fail(ctx: RequestContext, err: unknown, log: Logger): void {
  // The client left mid-body (its upload cut, Node's 'aborted'): nobody to answer, and no fault of the
  // gateway's. Its line says 499 when the response closes.
  if (!(err instanceof GatewayError) && ctx.req.destroyed && !ctx.req.complete) return
  const ge = err instanceof GatewayError ? err : new GatewayError('GW_ERR_INTERNAL', undefined, {}, { cause: err })
  ctx.error = ge.code
  if (ge.code === 'GW_ERR_INTERNAL') log.error({ err: (err as Error)?.stack ?? String(err), path: ctx.path }, 'handler failed')
  if (!ctx.req.complete) {
    // Reading the rest would cost whatever the client chose to send (a huge PUT with a wrong key): the
    // answer says the connection closes, and Node ends it once the answer is written. So too when the
    // client still waits for 100 Continue: whether it sends the body anyway is its choice.
    if ((CLOSE_UNREAD.has(ge.status) || awaitsContinue(ctx.req)) && !ctx.res.headersSent && announcesBody(ctx.req)) ctx.res.setHeader('connection', 'close')
    // Else drain what the client sent so the connection can be reused; bounded by the request timeout.
    else ctx.req.resume()
  }
  sendError(ctx.res, ge, ctx.method === 'HEAD')
}
