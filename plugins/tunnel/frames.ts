// WebSocket frame headers (RFC 6455 §5.2): enough to relay frames untouched, bound messages and speak
// the few control frames the gateway sends itself (close, ping).
import { randomFillSync } from 'node:crypto'

export const OP_CONTINUATION = 0x0
export const OP_TEXT = 0x1
export const OP_BINARY = 0x2
export const OP_CLOSE = 0x8
export const OP_PING = 0x9
export const OP_PONG = 0xa

export interface FrameHeader {
  fin: boolean
  opcode: number
  masked: boolean
  /** Bytes of the header itself, mask key included. */
  headerLength: number
  payloadLength: number
  /** RSV1-3: no extension is ever negotiated, so a frame with one set is a protocol error. */
  rsv: number
  /** A 64-bit length with its most significant bit set, which RFC 6455 §5.2 forbids: a protocol error, not a size. */
  lengthTopBit: boolean
}

/**
 * The header at `at`, or undefined while fewer bytes than the header are there. A length that does not
 * fit a safe integer is given as Infinity (it is over any limit), one with its top bit set too.
 */
export function readHeader(buf: Buffer, at: number): FrameHeader | undefined {
  const left = buf.length - at
  if (left < 2) return undefined
  const b0 = buf[at]!
  const b1 = buf[at + 1]!
  const masked = (b1 & 0x80) !== 0
  let payloadLength = b1 & 0x7f
  let headerLength = 2
  let lengthTopBit = false
  if (payloadLength === 126) {
    if (left < 4) return undefined
    payloadLength = buf.readUInt16BE(at + 2)
    headerLength = 4
  } else if (payloadLength === 127) {
    if (left < 10) return undefined
    const high = buf.readUInt32BE(at + 2)
    lengthTopBit = high >= 0x80000000
    payloadLength = high >= 0x200000 ? Infinity : high * 2 ** 32 + buf.readUInt32BE(at + 6)
    headerLength = 10
  }
  if (masked) headerLength += 4
  if (left < headerLength) return undefined
  return { fin: (b0 & 0x80) !== 0, opcode: b0 & 0x0f, masked, headerLength, payloadLength, rsv: b0 & 0x70, lengthTopBit }
}

/** The payload of the frame at `at` (whole in `buf`), unmasked into a new buffer. */
export function readPayload(buf: Buffer, at: number, h: FrameHeader): Buffer {
  const start = at + h.headerLength
  const payload = Buffer.from(buf.subarray(start, start + h.payloadLength))
  if (h.masked) {
    const key = buf.subarray(start - 4, start)
    for (let i = 0; i < payload.length; i++) payload[i]! ^= key[i & 3]!
  }
  return payload
}

/** One whole frame; masked (a random key) when the gateway sends it as a client, to an upstream. */
export function encodeFrame(opcode: number, payload: Buffer, mask: boolean): Buffer {
  const n = payload.length
  const lengthBytes = n < 126 ? 0 : n <= 0xffff ? 2 : 8
  const headerLength = 2 + lengthBytes + (mask ? 4 : 0)
  const frame = Buffer.allocUnsafe(headerLength + n)
  frame[0] = 0x80 | opcode
  frame[1] = (mask ? 0x80 : 0) | (lengthBytes === 0 ? n : lengthBytes === 2 ? 126 : 127)
  if (lengthBytes === 2) frame.writeUInt16BE(n, 2)
  else if (lengthBytes === 8) frame.writeBigUInt64BE(BigInt(n), 2)
  if (!mask) {
    payload.copy(frame, headerLength)
    return frame
  }
  const key = frame.subarray(headerLength - 4, headerLength)
  randomFillSync(key)
  for (let i = 0; i < n; i++) frame[headerLength + i] = payload[i]! ^ key[i & 3]!
  return frame
}

/** A close frame's payload: the code, then the reason cut to the 123 bytes a control frame allows. */
export function closePayload(code: number, reason: string): Buffer {
  let r = Buffer.from(reason, 'utf8')
  if (r.length > 123) r = Buffer.from(new TextDecoder().decode(r.subarray(0, 123)).replace(/\uFFFD$/, ''), 'utf8').subarray(0, 123)
  const p = Buffer.allocUnsafe(2 + r.length)
  p.writeUInt16BE(code, 0)
  r.copy(p, 2)
  return p
}

/** Codes a peer may put in a close frame (1005 and 1006 only ever describe a close, never travel). */
export function isValidCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999)
}
