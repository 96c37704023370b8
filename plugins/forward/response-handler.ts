// Streams one root response to the client through undici's raw dispatch API. Measured faster than
// pool.stream (no per-request AbortController, Writable wrapper or promise chain: see docs/benchmarks.md).
import type { Dispatcher } from 'undici'
import { upstreamError } from '../../gateway/errors.ts'
import type { RequestContext } from '../../gateway/plugin-api.ts'
import type { RootHealth } from '../../gateway/upstream/root-health.ts'
import { clientResponseHead } from './headers.ts'
import { KeyMask } from './key-mask.ts'

export class ForwardResponse implements Dispatcher.DispatchHandler {
  #abort: ((err?: Error) => void) | undefined
  #resume: (() => void) | undefined
  #clientGone = false
  #done = false
  /** The client's answer is whole at its head (HEAD, 204, 304): nothing the root does later changes it. */
  #bodiless = false
  /** Set on an error answer to a read: the root may echo the site's key in its body. */
  #mask: KeyMask | undefined

  constructor(
    private readonly ctx: RequestContext,
    private readonly rootHealth: RootHealth | undefined,
    /** The request went with the site's key (a read): the root's Set-Cookie is not passed on. */
    private readonly siteKeyRead: boolean,
    /** Settles the route's promise: resolve when the exchange is over, reject with a GatewayError to answer it. */
    private readonly settle: (err?: unknown) => void,
    /** The site's key a read went with (none for a write): kept from the answer's headers, masked in an error answer's body. */
    private readonly siteKey?: string,
  ) {
    // 'close' comes once: `on` spares the wrapper `once` makes per request.
    ctx.res.on('close', this.#onClose)
  }

  // The client went away mid-exchange: stop the upstream request too.
  #onClose = (): void => {
    if (this.#done || this.#bodiless) return
    this.#clientGone = true
    this.#abort?.()
  }

  // Pipelined answers share their client's socket, and its 'drain' can come while undici parses another
  // root connection's answer (our own write for that one), when undici may not be resumed: its parser
  // asserts, and this answer failed as a bad root response. So the resume waits for the current turn to
  // end, and only an exchange still running resumes: after it, the parser may be another request's.
  #onDrain = (): void => {
    process.nextTick(() => {
      if (!this.#done && !this.#clientGone) this.#resume?.()
    })
  }

  onConnect(abort: (err?: Error) => void): void {
    if (this.#clientGone) abort()
    else this.#abort = abort
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void): boolean {
    // 1xx (103 Early Hints, 102 Processing) are interim: the final head follows on the same request. They
    // are not relayed: the hub's clients (npm, sync, CLIs) make no use of them, and the final answer is
    // what counts, for the client and for the root's health.
    if (statusCode < 200) return true
    const { res } = this.ctx
    this.rootHealth?.reportStatus(statusCode)
    this.#resume = resume
    // A redirect is passed on as the root sent it: the gateway never follows it, so the key never
    // travels to another host.
    // 204 may not carry a length; a 304's describes the representation and is kept.
    res.writeHead(statusCode, clientResponseHead(rawHeaders, this.siteKeyRead, statusCode === 204, this.siteKey))
    if (statusCode === 204 || statusCode === 304 || this.ctx.method === 'HEAD') {
      // No body can follow, whatever Content-Length says: the answer is complete now.
      this.#bodiless = true
      res.end()
    } else if (statusCode >= 400 && this.siteKey) this.#mask = new KeyMask(this.siteKey)
    return true
  }

  onData(chunk: Buffer): boolean {
    if (this.#bodiless) return true
    if (this.#mask) {
      chunk = this.#mask.push(chunk)
      if (chunk.length === 0) return true
    }
    if (this.ctx.res.write(chunk)) return true
    this.ctx.res.once('drain', this.#onDrain)
    return false // undici pauses reading from the root until the client drains
  }

  onComplete(): void {
    this.#done = true
    if (!this.#bodiless) this.ctx.res.end(this.#mask?.end())
    this.settle()
  }

  onError(err: Error): void {
    this.#done = true
    const { res } = this.ctx
    if (this.#bodiless) {
      // undici holds a 304 (or 204) to its Content-Length, though no body may follow it; the client
      // already has its whole answer. Anything else after the head still says the root misbehaved.
      if ((err as { code?: string }).code !== 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH') this.rootHealth?.report(upstreamError(err))
      return this.settle()
    }
    if (this.#clientGone) {
      // The client left; not the root's fault, and a half-open trial must not stay taken.
      this.rootHealth?.abandon()
      return this.settle()
    }
    const ge = upstreamError(err)
    this.rootHealth?.report(ge)
    if (res.headersSent) {
      // The root failed mid-body: the client's answer is cut, and the request log says why.
      this.ctx.error = ge.code
      res.destroy()
      return this.settle()
    }
    this.settle(ge)
  }
}
