// Streams one root response to the client through undici's raw dispatch API. Measured faster than
// pool.stream (no per-request AbortController, Writable wrapper or promise chain: see docs/benchmarks.md).
import type { ServerResponse } from 'node:http'
import { util, type Dispatcher } from 'undici'
import { upstreamError } from '../../gateway/errors.ts'
import type { RootHealth } from '../../gateway/upstream/root-health.ts'
import { clientResponseHeaders } from './headers.ts'

export class ForwardResponse implements Dispatcher.DispatchHandler {
  #abort: ((err?: Error) => void) | undefined
  #resume: (() => void) | undefined
  #clientGone = false
  #done = false

  constructor(
    private readonly res: ServerResponse,
    private readonly rootHealth: RootHealth | undefined,
    /** Settles the route's promise: resolve when the exchange is over, reject with a GatewayError to answer it. */
    private readonly settle: (err?: unknown) => void,
  ) {
    res.once('close', this.#onClose)
  }

  // The client went away mid-exchange: stop the upstream request too.
  #onClose = (): void => {
    if (this.#done) return
    this.#clientGone = true
    this.#abort?.()
  }

  #onDrain = (): void => this.#resume?.()

  onConnect(abort: (err?: Error) => void): void {
    if (this.#clientGone) abort()
    else this.#abort = abort
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void): boolean {
    this.rootHealth?.report()
    this.#resume = resume
    // A redirect is passed on as the root sent it: the gateway never follows it, so the key never
    // travels to another host.
    this.res.writeHead(statusCode, clientResponseHeaders(util.parseHeaders(rawHeaders)))
    return true
  }

  onData(chunk: Buffer): boolean {
    if (this.res.write(chunk)) return true
    this.res.once('drain', this.#onDrain)
    return false // undici pauses reading from the root until the client drains
  }

  onComplete(): void {
    this.#done = true
    this.res.end()
    this.settle()
  }

  onError(err: Error): void {
    this.#done = true
    if (this.#clientGone) {
      // The client left; not the root's fault, and a half-open trial must not stay taken.
      this.rootHealth?.abandon()
      return this.settle()
    }
    const ge = upstreamError(err)
    this.rootHealth?.report(ge)
    if (this.res.headersSent) {
      this.res.destroy()
      return this.settle()
    }
    this.settle(ge)
  }
}
