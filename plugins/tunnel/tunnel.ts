// One open tunnel: frames pass both ways as the bytes that came, with backpressure; when one side closes,
// the other is closed with a code that tells it what happened (the caller is told to reconnect when the
// upstream drops).
import { scrubSecrets } from '../../gateway/config/secret.ts'
import type { Endpoint } from './endpoint.ts'
import type { TunnelMetrics } from './metrics.ts'

/** Close codes that say why the peer's side ended and mean the same thing to the other side. */
const PASSED_ON = new Set([1000, 1002, 1003, 1007, 1008, 1009, 1010])
export const CLOSE_RECONNECT = 1012
export const CLOSE_TRY_LATER = 1013

const passedOn = (code: number) => PASSED_ON.has(code) || (code >= 3000 && code <= 4999)

export interface TunnelEnd {
  by: 'caller' | 'upstream' | 'gateway'
  code: number
}

export class Tunnel {
  lastActivity: number
  #end: TunnelEnd | undefined
  #open = 2

  constructor(
    readonly caller: Endpoint,
    readonly upstream: Endpoint,
    metrics: TunnelMetrics,
    private readonly now: () => number,
    /** Called once both sockets are closed. */
    onEnd: (t: Tunnel, info: TunnelEnd) => void,
  ) {
    this.lastActivity = now()
    // A side may be sent a frame of the gateway's own only between the frames the other side passes it.
    caller.midFrameOut = () => upstream.midFrameIn
    upstream.midFrameOut = () => caller.midFrameIn
    const gone = () => {
      if (--this.#open === 0) onEnd(this, this.#end ?? { by: 'gateway', code: 1006 })
    }
    caller.listen({
      relay: (bytes) => this.#pass(caller, upstream, bytes),
      message: (n) => {
        this.lastActivity = this.now()
        metrics.bytesToUpstream += n
        metrics.messagesToUpstream++
      },
      end: (code) => {
        const sent = passedOn(code) ? code : 1001
        this.#ended({ by: 'caller', code: sent }, () => upstream.sendClose(sent, 'caller closed'))
      },
      gone,
    })
    upstream.listen({
      relay: (bytes) => this.#pass(upstream, caller, bytes),
      message: (n) => {
        this.lastActivity = this.now()
        metrics.bytesToCaller += n
        metrics.messagesToCaller++
      },
      end: (code, reason) => {
        const passed = passedOn(code)
        if (!passed) metrics.upstreamDrops++
        const sent = passed ? code : CLOSE_RECONNECT
        this.#ended({ by: 'upstream', code: sent }, () => caller.sendClose(sent, passed ? scrubSecrets(reason) : 'upstream went away; reconnect'))
      },
      gone,
    })
  }

  /** Pings both sides; drops the tunnel when a side did not answer the previous ping. */
  keepAlive(): void {
    const { caller, upstream } = this
    // A side not read for backpressure may have answered unseen: the other side, not taking bytes, is late.
    if (!caller.answered && !(caller.waiting && !upstream.waiting)) return void caller.destroy()
    if (!upstream.answered && !(upstream.waiting && !caller.waiting)) return void upstream.destroy()
    caller.ping(upstream.waiting)
    upstream.ping(caller.waiting)
  }

  close(code: number, reason: string): void {
    this.#ended({ by: 'gateway', code }, () => {
      this.caller.sendClose(code, reason)
      this.upstream.sendClose(code === CLOSE_RECONNECT ? 1001 : code, reason)
    })
  }

  destroy(): void {
    this.caller.destroy()
    this.upstream.destroy()
  }

  #ended(end: TunnelEnd, closeOther: () => void): void {
    if (this.#end !== undefined) return
    this.#end = end
    closeOther()
  }

  /** Backpressure: stop reading a side while the other has not written what it was given. */
  #pass(from: Endpoint, to: Endpoint, bytes: Buffer): void {
    if (to.closeSent || to.socket.destroyed) return
    if (to.write(bytes) || from.waiting) return
    from.waiting = true
    from.socket.pause()
    to.socket.once('drain', () => {
      // Taking the bytes is an answer too (a side owing them could not be pinged mid-frame).
      to.answered = true
      from.waiting = false
      from.socket.resume()
    })
  }
}
