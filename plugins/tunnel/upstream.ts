// The two WebSocket handshakes of a tunnel, done here so that the sockets are the gateway's own to relay
// frames on: the caller's upgrade answered (101), and the upstream opened, wss:// with certificate checks
// (the configured CA added) or ws://.
import { createHash, randomBytes } from 'node:crypto'
import * as http from 'node:http'
import * as https from 'node:https'
import type { Duplex } from 'node:stream'
import { GatewayError, TUNNEL_UPSTREAM_FAILURES, upstreamError } from '../../gateway/errors.ts'
import { Endpoint } from './endpoint.ts'
import { systemClock, type Clock } from '../../gateway/util/clock.ts'

export interface UpstreamOptions {
  url: URL
  ca?: Buffer
  maxMessageBytes: number
  connectTimeout: number
  /** The gateway's clock, which the tunnel's close handshake waits on. */
  clock: Clock
}

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11'
const acceptKey = (key: string) => createHash('sha1').update(key + GUID).digest('base64')

/** Answers a checked upgrade (isValidUpgrade) with 101 and `protocol` ('' for none); undefined when the caller left. */
export function acceptUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer, protocol: string, maxMessageBytes: number, clock: Clock): Endpoint | undefined {
  if (socket.destroyed || !socket.writable) return undefined
  socket.write(
    'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      `Sec-WebSocket-Accept: ${acceptKey(req.headers['sec-websocket-key']!)}\r\n` +
      (protocol ? `Sec-WebSocket-Protocol: ${protocol}\r\n` : '') +
      '\r\n',
  )
  return new Endpoint(socket, false, maxMessageBytes, clock, head, protocol)
}

export function openUpstream(o: UpstreamOptions, protocols: string[], headers: Record<string, string>, signal: AbortSignal): Promise<Endpoint> {
  return new Promise((resolve, reject) => {
    const key = randomBytes(16).toString('base64')
    const secure = o.url.protocol === 'wss:'
    const req = (secure ? https : http).request({
      protocol: secure ? 'https:' : 'http:',
      hostname: o.url.hostname.replace(/^\[|\]$/g, ''),
      port: o.url.port || (secure ? 443 : 80),
      path: o.url.pathname + o.url.search,
      agent: false,
      ca: o.ca,
      rejectUnauthorized: true,
      headers: {
        ...headers,
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': key,
        ...(protocols.length > 0 ? { 'sec-websocket-protocol': protocols.join(', ') } : {}),
      },
    })
    let settled = false
    const fail = (err: GatewayError) => {
      if (settled) return
      settled = true
      done()
      req.destroy()
      reject(err)
    }
    // In steps past Node's longest timer (≈ 596 h), which it would fire at once.
    const timer = systemClock.setTimeout(() => fail(new GatewayError('GW_ERR_TUNNEL_UPSTREAM_TIMEOUT', `connectTimeout is ${o.connectTimeout} ms`)), o.connectTimeout)
    const onAbort = () => fail(new GatewayError('GW_ERR_STOPPING'))
    signal.addEventListener('abort', onAbort, { once: true })
    const done = () => {
      systemClock.clearTimeout(timer)
      signal.removeEventListener('abort', onAbort)
    }
    req.on('error', (err) => fail(upstreamError(err, TUNNEL_UPSTREAM_FAILURES)))
    req.on('response', (res) => {
      res.resume()
      fail(new GatewayError('GW_ERR_TUNNEL_UPSTREAM_BAD_RESPONSE', `it answered ${res.statusCode}`))
    })
    req.on('upgrade', (res, socket, head) => {
      const protocol = res.headers['sec-websocket-protocol'] ?? ''
      const wrong =
        res.headers['sec-websocket-accept'] !== acceptKey(key) ? 'a wrong Sec-WebSocket-Accept'
        : protocol ? (protocols.includes(protocol) ? undefined : 'a subprotocol that was not offered')
        : protocols.length > 0 ? 'no subprotocol'
        : res.headers['sec-websocket-extensions'] ? 'an extension that was not offered'
        : undefined
      if (wrong !== undefined || settled) {
        socket.destroy()
        return fail(new GatewayError('GW_ERR_TUNNEL_UPSTREAM_BAD_RESPONSE', `it answered with ${wrong}`))
      }
      settled = true
      done()
      resolve(new Endpoint(socket, true, o.maxMessageBytes, o.clock, head, protocol))
    })
    req.end()
  })
}
