// Raw WebSocket peers, for frames a well-behaved one (ws) would never send: split at any byte, unmasked,
// fragmented control frames, bad close codes, lengths out of range. A caller over TLS, and an upstream
// (plain TCP) the gateway connects to; each reads the gateway's frames back unmasked.
import { createHash, randomBytes } from 'node:crypto'
import net from 'node:net'
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

export interface RawPeer<S extends net.Socket = net.Socket> {
  socket: S
  /** The next whole frame the gateway sends (unmasked), or 'closed' when the socket ends first. */
  frame(): Promise<ServerFrame | 'closed'>
  /** Frames until (and with) a close frame; the close code (1005 for none) or 'closed' when cut without one. */
  closeCode(): Promise<number | 'closed'>
}

export type RawCaller = RawPeer<tls.TLSSocket>

/** Reads `socket` for an HTTP head (resolved with it) and then for frames, masked or not, from the bytes after it. */
function framesAfterHead<S extends net.Socket>(socket: S): { head: Promise<string>; peer: RawPeer<S> } {
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
  const head = (async () => {
    while (!buf.includes('\r\n\r\n')) {
      if (ended) throw new Error('closed before a whole HTTP head')
      await more()
    }
    const h = buf.subarray(0, buf.indexOf('\r\n\r\n')).toString('latin1')
    buf = buf.subarray(buf.indexOf('\r\n\r\n') + 4)
    return h
  })()
  const frame = async (): Promise<ServerFrame | 'closed'> => {
    for (;;) {
      if (buf.length >= 2) {
        const masked = (buf[1]! & 0x80) !== 0
        const short = buf[1]! & 0x7f
        const lengthBytes = short === 126 ? 2 : short === 127 ? 8 : 0
        const at = 2 + lengthBytes + (masked ? 4 : 0)
        const n = buf.length < at ? Infinity : lengthBytes === 2 ? buf.readUInt16BE(2) : lengthBytes === 8 ? Number(buf.readBigUInt64BE(2)) : short
        if (buf.length >= at + n) {
          const payload = Buffer.from(buf.subarray(at, at + n))
          if (masked) for (let i = 0; i < n; i++) payload[i]! ^= buf[at - 4 + (i & 3)]!
          const f = { opcode: buf[0]! & 0x0f, fin: (buf[0]! & 0x80) !== 0, payload }
          buf = buf.subarray(at + n)
          return f
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
  return { head, peer: { socket, frame, closeCode } }
}

/** Opens a TLS socket to the site, upgrades it on `path` with `headers`, and checks the 101. */
export async function rawCaller(t: TestLike, port: number, ca: string, headers: string, path = '/federation'): Promise<RawCaller> {
  const socket = await connectTls(t, port, ca)
  const { head, peer } = framesAfterHead(socket)
  socket.write(
    `GET ${path} HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n` +
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n${headers}\r\n`,
  )
  const answer = await head.catch(() => 'closed before the upgrade answer')
  if (!/^HTTP\/1\.1 101 /.test(answer)) throw new Error(`not upgraded: ${answer.split('\r\n')[0]}`)
  return peer
}

export interface RawUpstream {
  /** ws://127.0.0.1:port, for a tunnel's `upstream`. */
  url: string
  /** The next connection the gateway opens, once its upgrade has been answered 101. */
  next(): Promise<RawPeer>
}

/** A WebSocket upstream on 127.0.0.1:0 that answers every upgrade 101 and then lets the test speak frames. */
export async function rawUpstream(t: TestLike): Promise<RawUpstream> {
  const sockets = new Set<net.Socket>()
  const ready: RawPeer[] = []
  const waiting: ((p: RawPeer) => void)[] = []
  const server = net.createServer((s) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
    const { head, peer } = framesAfterHead(s)
    head.then(
      (h) => {
        const key = /^sec-websocket-key: *(\S+)/im.exec(h)?.[1] ?? ''
        const accept = createHash('sha1').update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64')
        s.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`)
        const w = waiting.shift()
        if (w) w(peer)
        else ready.push(peer)
      },
      () => {},
    )
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  t.teardown(() => {
    for (const s of sockets) s.destroy()
    server.close()
  })
  return {
    url: `ws://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    next: () => (ready.length > 0 ? Promise.resolve(ready.shift()!) : new Promise((r) => waiting.push(r))),
  }
}
