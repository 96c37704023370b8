// Reads the token out of a CLASP peer's first frame (HELLO) and writes it back with another token.
// Frame: 0x53, flags (qos<<6 | ts 0x20 | encrypted 0x10 | compressed 0x08 | version), u16 BE payload
// length, [u64 timestamp], payload. HELLO payload (binary encoding, what @clasp-to/core sends):
// 0x01, version, feature bits, u16 BE name length, name, u16 BE token length, token (0: none).

export const CLASP_SUBPROTOCOL = 'clasp'
const MAGIC = 0x53
const HELLO = 0x01
const FLAG_TIMESTAMP = 0x20
const FLAG_ENCRYPTED = 0x10
const FLAG_COMPRESSED = 0x08
/** The header and payload length fields bound a frame to this, whatever the socket allows. */
export const MAX_HELLO_FRAME = 12 + 0xffff

export interface ClaspHello {
  /** The token the peer sent, or undefined when it sent none. */
  readonly token: string | undefined
  /** The same frame with `token` in place of the peer's. */
  withToken(token: string): Buffer
}

export class MalformedHello extends Error {}

// Strict, and keeping a leading BOM: a lenient decode would map different bytes to one token
// (invalid sequences to U+FFFD, "\uFEFFabc" to "abc").
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

function decodeToken(bytes: Buffer): string {
  try {
    return utf8.decode(bytes)
  } catch {
    throw new MalformedHello('HELLO token is not valid UTF-8')
  }
}

export function parseHello(frame: Buffer): ClaspHello {
  if (frame.length < 4 || frame.length > MAX_HELLO_FRAME) throw new MalformedHello('HELLO frame has an impossible size')
  if (frame[0] !== MAGIC) throw new MalformedHello('not a CLASP frame (bad magic byte)')
  const flags = frame[1]!
  if (flags & (FLAG_ENCRYPTED | FLAG_COMPRESSED)) throw new MalformedHello('an encrypted or compressed HELLO cannot be checked')
  const headerSize = flags & FLAG_TIMESTAMP ? 12 : 4
  const payloadLength = frame.readUInt16BE(2)
  if (frame.length < headerSize + payloadLength) throw new MalformedHello('HELLO frame is shorter than its length field')
  const payload = frame.subarray(headerSize, headerSize + payloadLength)
  if (payload.length === 0) throw new MalformedHello('empty CLASP payload')
  if ((payload[0]! & 0xf0) === 0x80 || payload[0] === 0xde || payload[0] === 0xdf) {
    throw new MalformedHello('the legacy MessagePack HELLO is not supported; use a client that sends the binary encoding')
  }
  if (payload[0] !== HELLO) throw new MalformedHello('the first CLASP message must be HELLO')
  // type, version, features; then the name string and the token string.
  const nameAt = 3
  if (payload.length < nameAt + 2) throw new MalformedHello('HELLO is truncated')
  const tokenAt = nameAt + 2 + payload.readUInt16BE(nameAt)
  if (payload.length < tokenAt + 2) throw new MalformedHello('HELLO is truncated')
  const tokenLength = payload.readUInt16BE(tokenAt)
  const restAt = tokenAt + 2 + tokenLength
  if (payload.length < restAt) throw new MalformedHello('HELLO token is truncated')
  const token = tokenLength ? decodeToken(payload.subarray(tokenAt + 2, restAt)) : undefined
  return {
    token,
    withToken(next: string) {
      const bytes = Buffer.from(next, 'utf8')
      const newPayloadLength = tokenAt + 2 + bytes.length + (payload.length - restAt)
      if (bytes.length > 0xffff || newPayloadLength > 0xffff) throw new MalformedHello('upstream token too long for a HELLO frame')
      const len = Buffer.alloc(2)
      len.writeUInt16BE(newPayloadLength)
      const tokenLen = Buffer.alloc(2)
      tokenLen.writeUInt16BE(bytes.length)
      return Buffer.concat([frame.subarray(0, 2), len, frame.subarray(4, headerSize), payload.subarray(0, tokenAt), tokenLen, bytes, payload.subarray(restAt)])
    },
  }
}
