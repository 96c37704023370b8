// Cuts answers the client stops taking. A client that asks for a large answer and never reads holds its
// socket, the file the answer streams from and, when forwarded, a connection to the root (undici's body
// timeout is paused while the client is not draining), for as long as it likes. Every answer in flight is
// looked at on one timer: one with bytes waiting for the client and none taken for `limits.sendTimeout`
// is destroyed, which closes its file and its upstream request through their own 'close' handling.
import type { ServerResponse } from 'node:http'
import type { Clock } from '../util/clock.ts'

interface Stall {
  /** Bytes the socket had passed on (written past its buffer) when the answer was last seen waiting. */
  mark: number
  since: number
}

export class SendWatch {
  readonly #open = new Set<ServerResponse>()
  /** Answers seen with bytes waiting, since when their socket has passed nothing on. */
  readonly #stalls = new Map<ServerResponse, Stall>()
  readonly #cut = new Set<ServerResponse>()
  readonly #every: number
  #timer: unknown
  #stopped = false

  constructor(
    private readonly timeout: number,
    private readonly clock: Clock,
  ) {
    // A cut comes between `timeout` and `timeout` plus one look after the last byte was taken.
    this.#every = Math.max(1, Math.min(1000, Math.floor(timeout / 2)))
    this.#schedule()
  }

  add(res: ServerResponse): void {
    this.#open.add(res)
  }

  /** Stops watching an answer (its response closed); true when this watch cut it. */
  delete(res: ServerResponse): boolean {
    this.#open.delete(res)
    // Most answers were never seen waiting, and none was cut: two size checks instead of two lookups.
    if (this.#stalls.size !== 0) this.#stalls.delete(res)
    return this.#cut.size !== 0 && this.#cut.delete(res)
  }

  stop(): void {
    this.#stopped = true
    if (this.#timer !== undefined) this.clock.clearTimeout(this.#timer)
  }

  #schedule(): void {
    if (this.#stopped) return
    this.#timer = this.clock.setTimeout(this.#look, this.#every)
  }

  readonly #look = (): void => {
    const now = this.clock.now()
    for (const res of this.#open) {
      const socket = res.socket
      // No socket: a pipelined answer waiting for the one before it, which is watched itself.
      if (!socket || res.writableLength === 0 || this.#cut.has(res)) {
        this.#stalls.delete(res)
        continue
      }
      // bytesWritten counts what is still buffered too: less the buffer, it moves only when a write was
      // wholly taken by the kernel (under TLS too). So progress shows a write at a time (a streamed
      // blob's are 256 KiB), and only as fast as the kernel reports room in the socket's send buffer.
      const mark = socket.bytesWritten - socket.writableLength
      const stall = this.#stalls.get(res)
      if (stall === undefined) this.#stalls.set(res, { mark, since: now })
      else if (stall.mark !== mark) {
        stall.mark = mark
        stall.since = now
      } else if (now - stall.since >= this.timeout) {
        this.#cut.add(res)
        this.#stalls.delete(res)
        res.destroy()
      }
    }
    this.#schedule()
  }
}
