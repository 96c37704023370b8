// One open tunnel: messages pass both ways with backpressure; when one side closes, the other is closed
// with a code that tells it what happened (the caller is told to reconnect when the upstream drops).
import WebSocket from 'ws'
import { scrubSecrets } from '../../gateway/config/secret.ts'
import type { TunnelMetrics } from './metrics.ts'

/** Past this many bytes queued on one side, the other side stops being read until they are written. */
const HIGH_WATER = 1024 * 1024

/** Close codes that say why the peer's side ended and mean the same thing to the other side. */
const PASSED_ON = new Set([1000, 1002, 1003, 1007, 1008, 1009, 1010])
export const CLOSE_RECONNECT = 1012
export const CLOSE_TRY_LATER = 1013

export class Tunnel {
  lastActivity: number
  callerAnswered = true
  upstreamAnswered = true
  #closed = false

  constructor(
    readonly caller: WebSocket,
    readonly upstream: WebSocket,
    private readonly metrics: TunnelMetrics,
    private readonly now: () => number,
    private readonly onEnd: (t: Tunnel, info: { by: 'caller' | 'upstream'; code: number }) => void,
  ) {
    this.lastActivity = now()
    this.#pipe(caller, upstream, (n) => {
      metrics.bytesToUpstream += n
      metrics.messagesToUpstream++
    })
    this.#pipe(upstream, caller, (n) => {
      metrics.bytesToCaller += n
      metrics.messagesToCaller++
    })
    caller.on('pong', () => (this.callerAnswered = true))
    upstream.on('pong', () => (this.upstreamAnswered = true))
    let upstreamTooBig = false
    upstream.on('error', (err: Error & { code?: string }) => void (upstreamTooBig ||= err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH'))
    caller.on('close', (code) => {
      const sent = PASSED_ON.has(code) || (code >= 3000 && code <= 4999) ? code : 1001
      this.#end('caller', sent, () => close(upstream, sent, 'caller closed'))
    })
    upstream.on('close', (code, reason) => {
      const passed = upstreamTooBig ? 1009 : PASSED_ON.has(code) || (code >= 3000 && code <= 4999) ? code : undefined
      if (passed === undefined) metrics.upstreamDrops++
      const sent = passed ?? CLOSE_RECONNECT
      this.#end('upstream', sent, () => close(caller, sent, passed === undefined ? 'upstream went away; reconnect' : scrubSecrets(reason.toString())))
    })
  }

  /** Pings both sides; drops the tunnel when a side did not answer the previous ping. */
  keepAlive(): void {
    if (!this.callerAnswered) return void this.caller.terminate()
    if (!this.upstreamAnswered) return void this.upstream.terminate()
    this.callerAnswered = this.upstreamAnswered = false
    this.caller.ping()
    this.upstream.ping()
  }

  close(code: number, reason: string): void {
    close(this.caller, code, reason)
    close(this.upstream, code === CLOSE_RECONNECT ? 1001 : code, reason)
  }

  #end(by: 'caller' | 'upstream', code: number, closeOther: () => void): void {
    if (this.#closed) return
    this.#closed = true
    closeOther()
    this.onEnd(this, { by, code })
  }

  #pipe(from: WebSocket, to: WebSocket, count: (bytes: number) => void): void {
    let waiting = 0
    const flushed = () => {
      if (--waiting === 0) from.resume()
    }
    from.on('message', (data: Buffer, isBinary: boolean) => {
      if (to.readyState !== WebSocket.OPEN) return
      this.lastActivity = this.now()
      count(data.length)
      // Backpressure: stop reading this side until the other side has written what is queued.
      if (to.bufferedAmount + data.length >= HIGH_WATER) {
        if (waiting++ === 0) from.pause()
        to.send(data, { binary: isBinary, compress: false }, flushed)
      } else {
        to.send(data, { binary: isBinary, compress: false })
      }
    })
  }
}

/** Closes with a code ws may send (1005/1006 may not be), bounding the reason to the 123 bytes allowed. */
export function close(ws: WebSocket, code: number, reason: string): void {
  if (ws.readyState === WebSocket.CLOSED || ws.readyState === WebSocket.CLOSING) return
  if (ws.readyState === WebSocket.CONNECTING) return void ws.terminate()
  let r = reason
  while (Buffer.byteLength(r) > 123) r = r.slice(0, -1)
  ws.close(code, r)
}
