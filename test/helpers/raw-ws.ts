// A raw WebSocket caller over TLS, for frames a well-behaved client (ws) would never send: split at any
// byte, unmasked, fragmented control frames, bad close codes. It reads the gateway's frames back unmasked.
import { randomBytes } from 'node:crypto'
import type tls from 'node:tls'
import { connectTls } from './raw-http.ts'
import type { TestLike } from './sites.ts'

/** One frame as a client sends it: masked unless `masked: false`; `first` overrides byte 0 (FIN, RSV, opcode). */
export function clientFrame(opcode: number, payload: Buffer, o: { fin?: boolean; masked?: boolean; first?: number } = {}): Buffer {
  const masked = o.masked ?? true
  const n = payload.length
  const len = n < 126 ? Buffer.from([n]) : n <= 0xffff ? Buffer.from([126, n >> 8, n & 0xff]) : Buffer.concat([Buffer.from([127]), (() => { const b = Buffer.alloc(8); b.writeBigUInt64BE(BigInt(n)); return b })()])
  len[0]! |= masked ? 0x80 : 0
  const b0 = o.first ?? ((o.fin ?? true ? 0x80 : 0) | opcode)
  if (!masked) return Buffer.concat([Buffer.from([b0]), len, payload])
  const key = randomBytes(4)
  return Buffer.concat([Buffer.from([b0]), len, key, Buffer.from(payload.map((x, i) => x ^ key[i & 3]!))])
}

export interface ServerFrame {
  opcode: number
  fin: boolean
  payload: Buffer
}

export interface RawCaller {
  socket: tls.TLSSocket
  /** The next whole frame the gateway sends, or 'closed' when the socket ends first. */
  frame(): Promise<ServerFrame | 'closed'>
  /** Frames until (and with) a close frame; the close code (1005 for none) or 'closed' when cut without one. */
  closeCode(): Promise<number | 'closed'>
}

/** Opens a TLS socket to the site, upgrades it on `path` with `headers`, and checks the 101. */
export async function rawCaller(t: TestLike, port: number, ca: string, headers: string, path = '/federation'): Promise<RawCaller> {
  const socket = await connectTls(t, port, ca)
  let buf = Buffer.alloc(0)
  let ended = false
  let wake: (() => void) | undefined
  socket.on('data', (c: Buffer) => {
    buf = Buffer.concat([buf, c])
    wake?.()
  })
  socket.on('close', () => {
    ended = true
    wake?.()
  })
  socket.on('error', () => {})
  const more = () => new Promise<void>((r) => (wake = r))
  socket.write(
    `GET ${path} HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n` +
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n${headers}\r\n`,
  )
  while (!buf.includes('\r\n\r\n')) {
    if (ended) throw new Error('closed before the upgrade answer')
    await more()
  }
  const head = buf.subarray(0, buf.indexOf('\r\n\r\n')).toString('latin1')
  if (!/^HTTP\/1\.1 101 /.test(head)) throw new Error(`not upgraded: ${head.split('\r\n')[0]}`)
  buf = buf.subarray(buf.indexOf('\r\n\r\n') + 4)
  const frame = async (): Promise<ServerFrame | 'closed'> => {
    for (;;) {
      if (buf.length >= 2) {
        let n = buf[1]! & 0x7f
        let at = 2
        if (n === 126 && buf.length >= 4) (n = buf.readUInt16BE(2)), (at = 4)
        else if (n === 127 && buf.length >= 10) (n = Number(buf.readBigUInt64BE(2))), (at = 10)
        if ((buf[1]! & 0x7f) < 126 || at > 2) {
          if (buf.length >= at + n) {
            const f = { opcode: buf[0]! & 0x0f, fin: (buf[0]! & 0x80) !== 0, payload: Buffer.from(buf.subarray(at, at + n)) }
            buf = buf.subarray(at + n)
            return f
          }
        }
      }
      if (ended) return 'closed'
      await more()
    }
  }
  const closeCode = async () => {
    for (;;) {
      const f = await frame()
      if (f === 'closed') return 'closed' as const
      if (f.opcode === 8) return f.payload.length >= 2 ? f.payload.readUInt16BE(0) : 1005
    }
  }
  return { socket, frame, closeCode }
}
