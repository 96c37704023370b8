// Cuts answers the client stops taking. A client that asks for a large answer and never reads holds its
// socket, the file the answer streams from and, when forwarded, a connection to the root (undici's body
// timeout is paused while the client is not draining), for as long as it likes. Every connection that
// carried an answer is looked at on one timer: one with bytes waiting for the client and none taken for
// `limits.sendTimeout` is destroyed, which closes its answers' files and upstream requests through their
// own 'close' handling.
//
// Connections, not answers, and in an array, not a Set: a collection that outlives a scavenge sits in
// V8's old space, and each time a Set's table is rebuilt the discarded one still points at whatever it
// held until the next full collection. Holding answers, that kept every request's whole object graph
// alive through scavenges (the forward bench's young-generation survivors went from 0.2 to 1.6 MB per
// scavenge, and the scavenges' pauses tripled). A connection joins once, on its first request, and
// leaves when it closes; leaving swaps the last entry into its slot, so no slot keeps a stale one.
import type { Socket } from 'node:net'
import type { Clock } from '../util/clock.ts'

interface Watched {
  readonly socket: Socket
  /** Its slot in `#watched`. */
  index: number
  /** Bytes the socket had passed on (written past its buffer) when it was last seen waiting; -1: not waiting. */
  mark: number
  since: number
  cut: boolean
}

const WATCHED = Symbol('send watch entry')
type WithEntry = Socket & { [WATCHED]?: Watched }

export class SendWatch {
  readonly #watched: Watched[] = []
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

  /** Watches the connection an answer goes out on, from its first answer until it closes. */
  add(socket: Socket): void {
    const s = socket as WithEntry
    if (s[WATCHED] !== undefined || s.destroyed) return
    const entry: Watched = { socket, index: this.#watched.length, mark: -1, since: 0, cut: false }
    s[WATCHED] = entry
    this.#watched.push(entry)
    socket.once('close', () => this.forget(socket))
  }

  /** Stops watching a connection (it closed, or was handed to a tunnel that bounds its own sends). */
  forget(socket: Socket): void {
    const entry = (socket as WithEntry)[WATCHED]
    if (entry === undefined || entry.index < 0) return
    const last = this.#watched.pop()!
    if (last !== entry) {
      this.#watched[entry.index] = last
      last.index = entry.index
    }
    entry.index = -1
  }

  /** Did this watch cut the connection (its answers' lines say GW_ERR_SEND_TIMEOUT)? */
  cut(socket: Socket): boolean {
    return (socket as WithEntry)[WATCHED]?.cut === true
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
    // Backwards: a cut socket may leave the array at once, swapping an entry already looked at into its slot.
    for (let i = this.#watched.length - 1; i >= 0; i--) {
      const w = this.#watched[i]!
      const { socket } = w
      if (socket.writableLength === 0 || socket.destroyed) {
        w.mark = -1
        continue
      }
      // bytesWritten counts what is still buffered too: less the buffer, it moves only when a write was
      // wholly taken by the kernel (under TLS too). So progress shows a write at a time (a streamed
      // blob's are 256 KiB), and only as fast as the kernel reports room in the socket's send buffer.
      const mark = socket.bytesWritten - socket.writableLength
      if (w.mark !== mark) {
        w.mark = mark
        w.since = now
      } else if (now - w.since >= this.timeout) {
        w.cut = true
        socket.destroy()
      }
    }
    this.#schedule()
  }
}
