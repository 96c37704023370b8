// Raw HTTP/1.1 over TLS or TCP, for requests a well-behaved client (undici) would refuse or rewrite:
// dot segments, smuggling framings, hop-by-hop headers, half-sent heads, a kept-alive socket.
import tls from 'node:tls'
import net from 'node:net'
import type { TestLike } from './sites.ts'

/** The asserts expectTargetsRefused makes (a tap Test has them). */
interface Asserts {
  equal(found: unknown, wanted: unknown, message: string): unknown
  match(found: unknown, pattern: RegExp, message: string): unknown
  fail(message: string): unknown
}

export interface RawResponse {
  status: number
  headers: Record<string, string>
  body: string
}

/** A TLS socket to 127.0.0.1:port trusting `ca`; destroyed at teardown. */
export async function connectTls(t: TestLike, port: number, ca: string, servername = 'localhost', extra: tls.ConnectionOptions = {}): Promise<tls.TLSSocket> {
  const socket = tls.connect({ host: '127.0.0.1', port, ca, servername, ...extra })
  t.teardown(() => socket.destroy())
  await new Promise<void>((resolve, reject) => {
    socket.once('secureConnect', resolve)
    socket.once('error', reject)
  })
  return socket
}

export async function connectTcp(t: TestLike, port: number): Promise<net.Socket> {
  const socket = net.connect({ host: '127.0.0.1', port })
  t.teardown(() => socket.destroy())
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve)
    socket.once('error', reject)
  })
  return socket
}

/**
 * Writes `head` (and an optional body) and reads one response. Resolves to `'closed'` when the peer
 * closes (or resets) the socket before a whole response arrived.
 */
export function sendRaw(socket: net.Socket, head: string, body = ''): Promise<RawResponse | 'closed'> {
  socket.write(head + body)
  return readResponse(socket)
}

/**
 * GETs each target on one kept-alive socket and asserts a 400 with `code` for each (stopping at the first
 * closed connection, which fails); `message`, when given, must match each error's message.
 */
export async function expectTargetsRefused(t: Asserts, socket: net.Socket, targets: readonly string[], code: string, message?: RegExp): Promise<void> {
  for (const target of targets) {
    const res = await sendRaw(socket, `GET ${target} HTTP/1.1\r\nHost: localhost\r\n\r\n`)
    if (res === 'closed') return void t.fail(`${target}: connection closed instead of a 400`)
    t.equal(res.status, 400, `${target} → 400`)
    const error = res.status === 400 ? (JSON.parse(res.body) as { error: { code: string; message: string } }).error : undefined
    t.equal(error?.code, code, `${target} → ${code}`)
    if (message) t.match(error?.message, message, `${target}: the message says ${message}`)
  }
}

export function readResponse(socket: net.Socket): Promise<RawResponse | 'closed'> {
  return new Promise((resolve) => {
    let buf = Buffer.alloc(0)
    const done = (r: RawResponse | 'closed') => {
      socket.off('data', onData)
      socket.off('close', onClose)
      socket.off('error', onClose)
      resolve(r)
    }
    const onData = (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk])
      const r = parse(buf)
      if (r) done(r)
    }
    const onClose = () => done(parse(buf) ?? 'closed')
    socket.on('data', onData)
    socket.once('close', onClose)
    socket.once('error', onClose)
  })
}

function parse(buf: Buffer): RawResponse | undefined {
  const end = buf.indexOf('\r\n\r\n')
  if (end === -1) return undefined
  const [statusLine, ...lines] = buf.subarray(0, end).toString('latin1').split('\r\n')
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '')?.[1])
  const headers: Record<string, string> = {}
  for (const l of lines) {
    const i = l.indexOf(':')
    const name = l.slice(0, i).trim().toLowerCase()
    headers[name] = headers[name] !== undefined ? `${headers[name]}, ${l.slice(i + 1).trim()}` : l.slice(i + 1).trim()
  }
  const rest = buf.subarray(end + 4)
  if (headers['content-length'] !== undefined) {
    const n = Number(headers['content-length'])
    if (rest.length < n) return undefined
    return { status, headers, body: rest.subarray(0, n).toString() }
  }
  if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
    const text = rest.toString('latin1')
    if (!text.endsWith('0\r\n\r\n')) return undefined
    let body = ''
    let i = 0
    for (;;) {
      const nl = text.indexOf('\r\n', i)
      const size = parseInt(text.slice(i, nl), 16)
      if (!size) break
      body += text.slice(nl + 2, nl + 2 + size)
      i = nl + 2 + size + 2
    }
    return { status, headers, body }
  }
  return status === 304 || status === 204 || (status >= 100 && status < 200) ? { status, headers, body: '' } : undefined
}

/** Waits until `socket` closes (however), for refusals answered with a closed connection. */
export function closed(socket: net.Socket): Promise<void> {
  return socket.destroyed ? Promise.resolve() : new Promise((r) => socket.once('close', () => r()))
}

/**
 * A TCP listener on 127.0.0.1:`port` (0: any) that accepts connections, reads what comes and never
 * answers: a hanging upstream. Its sockets and itself are closed at teardown. Resolves to its port.
 */
export async function silentListener(t: TestLike, port = 0): Promise<number> {
  const sockets = new Set<net.Socket>()
  const server = net.createServer((s) => {
    sockets.add(s)
    s.on('error', () => {})
    s.on('close', () => sockets.delete(s))
    s.resume()
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', resolve)
  })
  t.teardown(() => {
    for (const s of sockets) s.destroy()
    server.close()
  })
  return (server.address() as net.AddressInfo).port
}
