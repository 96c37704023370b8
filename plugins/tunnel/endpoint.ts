// One side of a tunnel after its WebSocket handshake: the raw socket, read frame header by frame header.
// Data frames are passed on as the bytes that came (a client's masked frames are valid as they are for an
// upstream the gateway is a client of, an upstream's unmasked ones for the caller), while the header
// parser bounds messages, checks the framing and picks out the control frames the gateway answers itself.
import type { Duplex } from 'node:stream'
import type { Clock } from '../../gateway/util/clock.ts'
import { OP_BINARY, OP_CLOSE, OP_CONTINUATION, OP_PING, OP_PONG, closePayload, encodeFrame, isValidCloseCode, readHeader, readPayload, type FrameHeader } from './frames.ts'

export interface EndpointEvents {
  /** Bytes to pass on as they are: whole frames, or the start or the rest of one. */
  relay(bytes: Buffer): void
  /** A data message ended, of this many payload bytes. */
  message(bytes: number): void
  /** The first message whole and unmasked, when asked for with `collectFirst` (reading then pauses). */
  collected(data: Buffer, binary: boolean): void
  /** The peer sent a close frame (1005: without a code), broke the protocol (1002, 1007, 1009) or left (1006). Once. */
  end(code: number, reason: string): void
  /** The socket is closed. */
  gone(): void
}

/** How long a close frame waits for the peer's before the socket is cut. */
const CLOSE_WAIT = 1000
/**
 * What the gateway's own pings carry, then their number: a pong starting with it is the gateway's, not passed
 * on, and the answer only with the outstanding ping's data (RFC 6455 §5.5.3), not a peer's pong of its own.
 */
const KEEPALIVE = 'fedgate keep-alive '
const KEEPALIVE_BYTES = Buffer.from(KEEPALIVE)
const EMPTY = Buffer.alloc(0)
const utf8 = new TextDecoder('utf-8', { fatal: true })
const noop = () => {}

export class Endpoint {
  /** The peer answered the last ping (or none was sent). */
  answered = true
  /** The data of the ping the peer owes a pong for; undefined when none is outstanding. */
  #pingData: Buffer | undefined
  #pings = 0
  closeSent = false
  closeReceived = false
  /** Not read while the other side of the tunnel has not written what this side passed it. */
  waiting = false
  /** The next message is collected whole for `collected` instead of passed on (a CLASP HELLO): collectFirst(). */
  #collectFirst = false
  /** True while bytes written to this side stop mid-frame: the other side's frame is half passed. */
  midFrameOut: () => boolean = () => false
  #events: Partial<EndpointEvents> = {}
  /** Bytes read but not yet parsed: a header not whole yet, or a control frame or collected frame. */
  #held: Buffer | undefined
  /** Payload bytes still to pass of the data frame being passed on. */
  #remaining = 0
  #frameFin = false
  /** Inside a fragmented message, and its payload bytes so far. */
  #inMessage = false
  #messageBytes = 0
  /** The largest message taken now: maxMessageBytes, or less while the first one is collected. */
  #messageLimit: number
  #collected: Buffer[] = []
  #collectedBinary = false
  /** The peer broke the protocol: nothing more it sends can be framed. */
  #broken = false
  #ended = false
  #readPaused = false
  #listening = false
  #finished = false
  /** The close handshake's wait for the peer (its close frame, then its end of the socket). */
  #timer: unknown

  /**
   * @param client the gateway is this side's client (the upstream): frames it sends are masked and frames
   *   it reads must not be; the other way round for a caller.
   * @param clock the gateway's, for the close handshake's wait
   * @param head bytes read past the handshake
   */
  constructor(
    readonly socket: Duplex,
    readonly client: boolean,
    readonly maxMessageBytes: number,
    private readonly clock: Clock,
    head: Buffer,
    /** The subprotocol the handshake settled on ('' for none). */
    readonly protocol = '',
  ) {
    this.#messageLimit = maxMessageBytes
    if (head.length > 0) this.#held = Buffer.from(head)
    ;(socket as { setNoDelay?: (v: boolean) => void }).setNoDelay?.(true)
    ;(socket as { setTimeout?: (ms: number) => void }).setTimeout?.(0)
    socket.on('error', noop)
    socket.on('end', () => socket.end())
    socket.once('close', () => {
      clock.clearTimeout(this.#timer)
      this.#peerEnded(1006, '')
      this.#events.gone?.()
    })
  }

  /** Starts (or, with new events, goes on) reading; nothing is read before the first call. */
  listen(events: Partial<EndpointEvents>): void {
    this.#events = events
    if (!this.#listening) this.socket.on('data', (chunk: Buffer) => this.#read(chunk))
    this.#listening = true
    this.resume()
  }

  /**
   * Collects the next message whole for `collected` instead of passing it on; one over `maxBytes` (what
   * the message can be at most, a CLASP frame) is refused at its header, never held.
   */
  collectFirst(maxBytes: number): void {
    this.#collectFirst = true
    this.#messageLimit = Math.min(maxBytes, this.maxMessageBytes)
  }

  pause(): void {
    this.#readPaused = true
    this.socket.pause()
  }

  resume(): void {
    this.#readPaused = false
    this.socket.resume()
    if (this.#held !== undefined) this.#read(EMPTY)
  }

  get midFrameIn(): boolean {
    return this.#remaining > 0
  }

  /** Writes bytes passed from the other side; false when they wait in the socket's buffer. */
  write(bytes: Buffer): boolean {
    return this.socket.write(bytes)
  }

  /** A message of the gateway's own (the rewritten CLASP HELLO), before any frame is passed on. */
  send(data: Buffer): void {
    this.socket.write(encodeFrame(OP_BINARY, data, this.client))
  }

  /**
   * Pings, unless a frame is half written to this side (the next sweep will). `stalled`: the other side
   * waits for this one to take bytes; unpingable, it then owes a 'drain' by the next sweep instead.
   */
  ping(stalled = false): void {
    if (this.closeSent) return
    if (this.midFrameOut()) {
      if (stalled) this.answered = false
      return
    }
    this.answered = false
    this.#pingData = Buffer.from(KEEPALIVE + ++this.#pings)
    this.socket.write(encodeFrame(OP_PING, this.#pingData, this.client))
  }

  /** Starts the close handshake; a side that cannot be sent a whole frame now is cut instead. */
  sendClose(code?: number, reason = ''): void {
    if (this.closeSent || this.socket.destroyed) return
    this.closeSent = true
    if (this.midFrameOut()) return void this.socket.destroy()
    this.socket.write(encodeFrame(OP_CLOSE, code === undefined ? EMPTY : closePayload(code, reason), this.client))
    // Read on, paused or not: the peer's close frame ends the handshake.
    this.waiting = false
    this.resume()
    if (this.closeReceived || this.#broken) this.#finish()
    else this.#timer = this.clock.setTimeout(() => this.socket.destroy(), CLOSE_WAIT)
  }

  destroy(): void {
    this.socket.destroy()
  }

  #finish(): void {
    if (this.#finished) return
    this.#finished = true
    this.clock.clearTimeout(this.#timer)
    this.socket.end()
    this.#timer = this.clock.setTimeout(() => this.socket.destroy(), CLOSE_WAIT)
  }

  #peerEnded(code: number, reason: string): void {
    if (this.#ended) return
    this.#ended = true
    this.#events.end?.(code, reason)
    if (code !== 1006) this.sendClose(code === 1005 ? undefined : code)
  }

  #fail(code: number, reason: string): void {
    this.#broken = true
    this.#held = undefined
    this.sendClose(code, reason)
    this.#peerEnded(code, reason)
  }

  #read(chunk: Buffer): void {
    if (this.#broken || this.closeReceived || this.#readPaused) {
      if (chunk.length > 0 && !this.#broken && !this.closeReceived) this.#held = this.#held ? Buffer.concat([this.#held, chunk]) : chunk
      return
    }
    let buf = chunk
    if (this.#held !== undefined) {
      buf = chunk.length === 0 ? this.#held : Buffer.concat([this.#held, chunk])
      this.#held = undefined
    }
    let at = 0
    let from = 0
    if (this.#remaining > 0) {
      at = Math.min(this.#remaining, buf.length)
      this.#remaining -= at
      if (this.#remaining === 0) this.#frameDone()
    }
    while (at < buf.length) {
      const h = readHeader(buf, at)
      if (h === undefined) break
      const problem = this.#problem(h)
      if (problem !== undefined) {
        if (from < at) this.#events.relay?.(buf.subarray(from, at))
        return this.#fail(problem[0], problem[1])
      }
      const start = at
      const end = at + h.headerLength + h.payloadLength
      if (h.opcode >= OP_CLOSE || this.#collectFirst) {
        // Control frames (125 bytes at most) and a collected message are read whole.
        if (end > buf.length) break
        if (h.opcode === OP_PING || (h.opcode === OP_PONG && !this.#ownPong(readPayload(buf, at, h)))) {
          at = end // a peer's own ping or pong: passed on with the frames around it
          continue
        }
        if (from < at) this.#events.relay?.(buf.subarray(from, at))
        from = at = end
        if (h.opcode === OP_CLOSE) return this.#closeFrame(readPayload(buf, start, h))
        if (h.opcode === OP_PONG) continue
        this.#begin(h)
        this.#collected.push(readPayload(buf, start, h))
        if (!h.fin) continue
        this.#collectFirst = false
        this.#messageLimit = this.maxMessageBytes
        this.#inMessage = false
        const data = Buffer.concat(this.#collected)
        this.#collected = []
        if (at < buf.length) this.#held = buf.subarray(at)
        this.pause()
        return this.#events.collected?.(data, this.#collectedBinary)
      }
      this.#begin(h)
      const passed = Math.min(h.payloadLength, buf.length - at - h.headerLength)
      at += h.headerLength + passed
      this.#remaining = h.payloadLength - passed
      if (this.#remaining === 0) this.#frameDone()
    }
    if (from < at) this.#events.relay?.(buf.subarray(from, at))
    if (at < buf.length) this.#held = buf.subarray(at)
  }

  /** Is this pong the gateway's own? It answers the keep-alive only with the outstanding ping's data. */
  #ownPong(data: Buffer): boolean {
    if (this.#pingData !== undefined && data.equals(this.#pingData)) {
      this.answered = true
      this.#pingData = undefined
      return true
    }
    return data.length > KEEPALIVE_BYTES.length && KEEPALIVE_BYTES.equals(data.subarray(0, KEEPALIVE_BYTES.length))
  }

  /** What is wrong with a frame, as a close code and reason; undefined when nothing is. */
  #problem(h: FrameHeader): [number, string] | undefined {
    if (h.rsv !== 0) return [1002, 'reserved bits set']
    if (h.lengthTopBit) return [1002, 'payload length has its most significant bit set']
    if (h.masked === this.client) return [1002, this.client ? 'a server frame must not be masked' : 'a client frame must be masked']
    if (h.opcode >= OP_CLOSE) {
      if (h.opcode > OP_PONG) return [1002, 'unknown opcode']
      if (!h.fin || h.payloadLength > 125) return [1002, 'bad control frame']
      return undefined
    }
    if (h.opcode > OP_BINARY) return [1002, 'unknown opcode']
    if (h.opcode === OP_CONTINUATION && !this.#inMessage) return [1002, 'continuation outside a message']
    if (h.opcode !== OP_CONTINUATION && this.#inMessage) return [1002, 'new message inside a fragmented one']
    const total = (h.opcode === OP_CONTINUATION ? this.#messageBytes : 0) + h.payloadLength
    if (total > this.#messageLimit) return [1009, 'message too big']
    return undefined
  }

  /** A data frame's header accepted: its message's accounting. */
  #begin(h: FrameHeader): void {
    if (h.opcode !== OP_CONTINUATION) {
      this.#messageBytes = 0
      this.#collectedBinary = h.opcode === OP_BINARY
    }
    this.#messageBytes += h.payloadLength
    this.#inMessage = !h.fin
    this.#frameFin = h.fin
  }

  #frameDone(): void {
    if (this.#frameFin) this.#events.message?.(this.#messageBytes)
  }

  #closeFrame(payload: Buffer): void {
    if (payload.length === 1) return this.#fail(1002, 'bad close frame')
    const code = payload.length === 0 ? 1005 : payload.readUInt16BE(0)
    if (payload.length > 0 && !isValidCloseCode(code)) return this.#fail(1002, 'bad close code')
    let reason: string
    try {
      reason = utf8.decode(payload.subarray(2))
    } catch {
      return this.#fail(1007, 'close reason is not UTF-8')
    }
    this.closeReceived = true
    this.#held = undefined
    this.#peerEnded(code, reason)
    if (this.closeSent) this.#finish()
  }
}
