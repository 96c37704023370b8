// Where a caller's token is on the upgrade request, and which subprotocol to answer it.
import type { IncomingMessage } from 'node:http'
import { CLASP_SUBPROTOCOL } from './clasp-hello.ts'

export type Credential =
  | { readonly where: 'authorization'; readonly token: string }
  | { readonly where: 'protocol'; readonly token: string; readonly entry: string }
  /** A CLASP peer: the token comes in its first message. */
  | { readonly where: 'hello' }
  | { readonly where: 'none' }

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i

/** The Sec-WebSocket-Protocol entries the caller offered, in order. */
export function offeredProtocols(req: IncomingMessage): string[] {
  const raw = req.headers['sec-websocket-protocol']
  if (!raw) return []
  return raw
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)
}

export function findCredential(req: IncomingMessage, offered: readonly string[], protocolPrefix: string): Credential {
  const auth = req.headers.authorization
  // A header that is present but not a bearer token is a wrong credential, not a missing one.
  if (auth !== undefined) return { where: 'authorization', token: BEARER.exec(auth)?.[1] ?? '' }
  const entry = offered.find((p) => p.startsWith(protocolPrefix))
  if (entry !== undefined) return { where: 'protocol', token: entry.slice(protocolPrefix.length), entry }
  if (offered.includes(CLASP_SUBPROTOCOL)) return { where: 'hello' }
  return { where: 'none' }
}

/**
 * The subprotocol answered to the caller: the upstream's choice. Browsers (and ws) fail a handshake that
 * offered protocols but got no answer, so when the token entry was the only one offered it is echoed;
 * a caller that offers a real protocol beside it never sees its token come back.
 */
export function answerProtocol(offered: readonly string[], tokenEntry: string | undefined, upstreamChoice: string): string | undefined {
  if (upstreamChoice && offered.includes(upstreamChoice)) return upstreamChoice
  if (tokenEntry !== undefined && offered.length === 1) return tokenEntry
  return undefined
}

/** A WebSocket version 13 upgrade that ws will accept, checked before anything is opened upstream. */
export function isValidUpgrade(req: IncomingMessage): boolean {
  const key = req.headers['sec-websocket-key']
  return (
    req.method === 'GET' &&
    req.headers.upgrade?.toLowerCase() === 'websocket' &&
    req.headers['sec-websocket-version'] === '13' &&
    typeof key === 'string' &&
    /^[+/0-9A-Za-z]{22}==$/.test(key)
  )
}
