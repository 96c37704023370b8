// A small CLASP-speaking hub for tests: subprotocol clasp, answers HELLO with WELCOME, keeps SET values,
// answers GET with a SNAPSHOT (null when unset) and passes PUBLISH to matching subscribers: enough for the real
// @clasp-to/core client to connect and exchange messages. It records the token each HELLO carried.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import WebSocket, { WebSocketServer } from 'ws'
import { decode, encode } from '@clasp-to/core'
import type { TestLike } from './sites.ts'

type Msg = Record<string, any> & { type: string }

export interface ClaspHub {
  url: string
  /** Tokens the hub saw in HELLO messages, in order (undefined: none). */
  helloTokens: (string | undefined)[]
  /** Authorization headers on the hub's upgrades. */
  authorizations: (string | undefined)[]
  tcpConnections: number
  values: Map<string, unknown>
  close(): Promise<void>
}

function matches(pattern: string, address: string): boolean {
  const re = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*\*/g, '\u0000').replace(/\*/g, '[^/]+').replace(/\u0000/g, '.*')
  return new RegExp(`^${re}$`).test(address)
}

export async function startClaspHub(t: TestLike): Promise<ClaspHub> {
  const server = http.createServer((_req, res) => res.writeHead(426).end())
  const wss = new WebSocketServer({ server, handleProtocols: (offered) => (offered.has('clasp') ? 'clasp' : false) })
  const subscriptions = new Map<WebSocket, string[]>()
  let revision = 0
  const hub: ClaspHub = {
    url: '',
    helloTokens: [],
    authorizations: [],
    tcpConnections: 0,
    values: new Map(),
    close: async () => {
      for (const ws of subscriptions.keys()) ws.terminate()
      server.closeAllConnections()
      await new Promise<void>((r) => wss.close(() => server.close(() => r())))
    },
  }
  const send = (ws: WebSocket, m: Msg) => ws.send(encode(m as never))
  server.on('connection', () => hub.tcpConnections++)
  wss.on('connection', (ws, req) => {
    hub.authorizations.push(req.headers.authorization)
    subscriptions.set(ws, [])
    ws.on('close', () => subscriptions.delete(ws))
    ws.on('error', () => {})
    let greeted = false
    ws.on('message', (data: Buffer) => {
      let m: Msg
      try {
        m = decode(new Uint8Array(data)) as Msg
      } catch {
        return void ws.close(1002, 'undecodable frame')
      }
      if (!greeted) {
        if (m.type !== 'HELLO') return void ws.close(1002, 'HELLO first')
        greeted = true
        hub.helloTokens.push(m.token)
        return send(ws, { type: 'WELCOME', version: 1, features: ['param', 'event'], time: Date.now() * 1000, session: `s${hub.helloTokens.length}`, name: 'test hub' })
      }
      switch (m.type) {
        case 'SET':
          hub.values.set(m.address, m.value)
          for (const [peer, pats] of subscriptions) if (pats.some((p) => matches(p, m.address))) send(peer, { type: 'SET', address: m.address, value: m.value, revision: ++revision })
          break
        case 'GET':
          send(ws, { type: 'SNAPSHOT', params: [{ address: m.address, value: hub.values.get(m.address) ?? null, revision }] })
          break
        case 'SUBSCRIBE':
          subscriptions.get(ws)?.push(m.pattern)
          break
        case 'PUBLISH':
          for (const [peer, pats] of subscriptions) if (pats.some((p) => matches(p, m.address))) send(peer, m)
          break
        case 'PING':
          send(ws, { type: 'PONG' })
          break
      }
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  hub.url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`
  t.teardown(() => hub.close())
  return hub
}

/**
 * Node 20 has no global WebSocket, which @clasp-to/core uses: install ws in its place, trusting the test
 * CA (the client passes no options of its own).
 */
export function installClaspWebSocket(ca: string): void {
  class TrustingWebSocket extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, { ca })
    }
  }
  ;(globalThis as { WebSocket?: unknown }).WebSocket = TrustingWebSocket
}
