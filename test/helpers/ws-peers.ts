// WebSocket fixtures for tunnel tests: an echo upstream that records every connection attempt, a site
// YAML with one tunnel, and a client that trusts the test CA.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import WebSocket, { WebSocketServer } from 'ws'
import type { TestLike, TestSite } from './sites.ts'

export interface EchoUpstream {
  url: string
  port: number
  /** TCP connections the upstream accepted at all: a refused caller must leave this at 0. */
  tcpConnections: number
  /** Upgrade requests it saw: headers and the subprotocols offered. */
  upgrades: { headers: http.IncomingHttpHeaders }[]
  sockets: Set<WebSocket>
  wss: WebSocketServer
  /** Cuts every connection without a close frame, as a crashed upstream would. */
  drop(): void
  close(): Promise<void>
}

/** A ws echo server on 127.0.0.1:0; it picks the first offered subprotocol that is not a token entry. */
export async function startEchoUpstream(t: TestLike, o: { maxPayload?: number } = {}): Promise<EchoUpstream> {
  const server = http.createServer((_req, res) => res.writeHead(426).end())
  const sockets = new Set<WebSocket>()
  const wss = new WebSocketServer({
    server,
    maxPayload: o.maxPayload ?? 64 * 1024 * 1024,
    handleProtocols: (offered) => [...offered].find((p) => !p.startsWith('bearer.')) ?? [...offered][0] ?? false,
  })
  const up: EchoUpstream = {
    url: '',
    port: 0,
    tcpConnections: 0,
    upgrades: [],
    sockets,
    wss,
    drop: () => {
      for (const s of sockets) s.terminate()
    },
    close: async () => {
      for (const s of sockets) s.terminate()
      server.closeAllConnections()
      await new Promise<void>((r) => wss.close(() => server.close(() => r())))
    },
  }
  server.on('connection', () => up.tcpConnections++)
  server.on('upgrade', (req) => up.upgrades.push({ headers: req.headers }))
  wss.on('connection', (ws) => {
    sockets.add(ws)
    ws.on('close', () => sockets.delete(ws))
    ws.on('error', () => {})
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  up.port = (server.address() as AddressInfo).port
  up.url = `ws://127.0.0.1:${up.port}`
  let closed = false
  t.teardown(() => (closed ? undefined : ((closed = true), up.close())))
  return up
}

/** A root-role site with one tunnel at /federation; `extra` is appended inside the tunnel entry. */
export function tunnelYaml(name: string, upstreamUrl: string, extra = ''): string {
  return `site: { name: ${name}, role: root }
listen:
  https: { host: 127.0.0.1, port: 0 }
tls: { dir: certs }
log: { level: info }
tunnels:
  - path: /federation
    upstream: ${upstreamUrl}
    tokens: file:./federation-tokens.txt
${extra
  .split('\n')
  .filter(Boolean)
  .map((l) => '    ' + l)
  .join('\n')}
`
}

/** The wss:// URL of a site's tunnel path. */
export function tunnelUrl(site: Pick<TestSite, 'gw'>, path = '/federation'): string {
  return `wss://127.0.0.1:${site.gw.httpsPort}${path}`
}

export type Outcome = { opened: true; ws: WebSocket; protocol: string; headers: http.IncomingHttpHeaders } | { opened: false; status: number; headers: http.IncomingHttpHeaders; body: string }

/**
 * Connects through a site, trusting its CA; resolves with the open socket or the refusal. `localAddress`
 * (another loopback address, 127.0.0.2 say) makes the caller a different address to the gateway.
 */
export function connect(site: Pick<TestSite, 'gw' | 'ca'>, o: { protocols?: string[]; headers?: Record<string, string>; path?: string; localAddress?: string } = {}): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(tunnelUrl(site, o.path), o.protocols ?? [], { ca: site.ca, headers: o.headers, localAddress: o.localAddress })
    let headers: http.IncomingMessage['headers'] = {}
    ws.on('upgrade', (res) => (headers = res.headers))
    ws.on('open', () => resolve({ opened: true, ws, protocol: ws.protocol, headers }))
    ws.on('unexpected-response', (_req, res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => (body += c))
      res.on('end', () => resolve({ opened: false, status: res.statusCode ?? 0, headers: res.headers, body }))
    })
    ws.on('error', reject)
  })
}

/** Sends one message and resolves with the next one received. */
export function roundTrip(ws: WebSocket, data: string | Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    ws.once('message', (d: Buffer) => resolve(d))
    ws.once('close', (code) => reject(new Error(`closed with ${code} before an answer`)))
    ws.send(data)
  })
}

/** Resolves with the close code and reason once the socket closes. */
export function closed(ws: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => {
    if (ws.readyState === WebSocket.CLOSED) return resolve({ code: 1006, reason: '' })
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() }))
  })
}
