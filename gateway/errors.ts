// The one error catalogue: every error a client can see has a stable code and a fixed status.
import { STATUS_CODES, type ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import { scrubSecrets } from './config/secret.ts'

export const errorCatalogue = {
  GW_ERR_BAD_PATH: { status: 400, message: 'The request path is not allowed' },
  GW_ERR_BAD_REQUEST: { status: 400, message: 'The request is malformed' },
  // Not a digest mismatch: no digest could be compared. The bytes that arrived stay only to continue from.
  GW_ERR_TRUNCATED: { status: 400, message: 'The content is truncated: it ended before its declared size, and nothing was stored' },
  GW_ERR_UNAUTHORIZED: { status: 401, message: 'A valid key or token is required' },
  GW_ERR_FORBIDDEN: { status: 403, message: 'This key may not do that' },
  GW_ERR_NOT_FOUND: { status: 404, message: 'Nothing is served at this path' },
  // The root answered 401 or 403 to a read made with the site's key. Passed on as 401, npm would tell the
  // user to log in (their credentials are not what was refused); as 404, that the package does not exist;
  // as 502, it would retry for 70 s. 403 is what happened: npm says so at once and does not retry.
  GW_ERR_ROOT_REFUSED: { status: 403, message: 'The root registry does not let this site read this package (it refused the site\'s key)' },
  GW_ERR_NO_OWNERSHIP_CONFLICT: { status: 404, message: 'This site holds no ownership conflict for that repository and tag (fedgate links status lists them)' },
  GW_ERR_METHOD_NOT_ALLOWED: { status: 405, message: 'This method is not allowed here' },
  GW_ERR_WRITES_DISABLED: { status: 405, message: 'Writes through this gateway are disabled (forward.allowWrites is false); publish to the root directly' },
  GW_ERR_REQUEST_TIMEOUT: { status: 408, message: 'The request was not received in time' },
  // Only ever in the request log: the answer's head was already out, so the client saw its status cut short.
  GW_ERR_SEND_TIMEOUT: { status: 408, message: 'The client took none of the answer for limits.sendTimeout; the answer was cut' },
  GW_ERR_CONFLICT: { status: 409, message: 'The request conflicts with the current state' },
  GW_ERR_NOT_OWNER: { status: 409, message: 'This site does not own the repository; publish at the site that owns its namespace' },
  GW_ERR_OWNERSHIP_OVERLAP: { status: 409, message: 'The two sites of this link claim overlapping namespaces; change site.owns at one of them' },
  GW_ERR_GONE: { status: 410, message: 'The change log no longer reaches back that far; fetch the repository whole and continue from its revision' },
  GW_ERR_TOO_LARGE: { status: 413, message: 'The request body is too large' },
  GW_ERR_UNSUPPORTED_ENCODING: { status: 415, message: 'The body is sent in a content coding this gateway does not take; send the bytes as they are to be stored' },
  GW_ERR_RANGE_NOT_SATISFIABLE: { status: 416, message: 'The requested range is not satisfiable' },
  GW_ERR_EXPECTATION_FAILED: { status: 417, message: 'The request expects something this gateway does not do; only Expect: 100-continue is supported' },
  GW_ERR_HEADERS_TOO_LARGE: { status: 431, message: 'The request headers are too large' },
  GW_ERR_DIGEST_MISMATCH: { status: 422, message: 'The content does not match its digest' },
  GW_ERR_TOO_MANY_REQUESTS: { status: 429, message: 'Too many failed attempts; slow down' },
  // Node's parser paused for backpressure (HPE_PAUSED) and got more: a burst, not a malformed request.
  GW_ERR_PIPELINE_TOO_DEEP: { status: 429, message: 'Too many pipelined requests arrived on one connection ahead of their answers; the connection was closed: send fewer at once' },
  GW_ERR_TUNNEL_HELLO_PER_ADDRESS: { status: 429, message: 'Too many sockets from this address are still to send their CLASP HELLO; send HELLO on those first' },
  // 424 Failed Dependency (RFC 4918): npm clients get it for a root outage, since they retry 503/504 for minutes.
  GW_ERR_ROOT_OUTAGE: { status: 424, message: 'The root registry cannot be reached; only packages synchronized here install' },
  GW_ERR_INTERNAL: { status: 500, message: 'The gateway failed to handle the request' },
  // This site's own disk, never the bytes' source: a sync failing so is not counted against the root.
  GW_ERR_STORE_WRITE_FAILED: { status: 507, message: 'The local store could not be written (its disk is full, a file passed a size limit, or its folder is not writable)' },
  GW_ERR_ROOT_BAD_RESPONSE: { status: 502, message: 'The root sent an invalid or incomplete response' },
  GW_ERR_PEER_BAD_RESPONSE: { status: 502, message: 'The link peer sent an invalid or incomplete response' },
  GW_ERR_TUNNEL_UPSTREAM_BAD_RESPONSE: { status: 502, message: 'The tunnel upstream failed the WebSocket handshake (a TLS failure, a reset, or an answer other than a valid 101)' },
  GW_ERR_ROOT_UNAVAILABLE: { status: 503, message: 'The root refused the connection' },
  GW_ERR_ROOT_DOWN: { status: 503, message: 'The root is down; forwarding is paused and resumes when it is back. Synchronized repositories are still served.' },
  GW_ERR_NO_ROOT: { status: 503, message: 'This site has no root to forward to' },
  GW_ERR_STOPPING: { status: 503, message: 'The site is stopping; try again shortly' },
  GW_ERR_INDEX_UNAVAILABLE: { status: 503, message: 'The site\'s index (Redis) cannot be reached or does not answer; try again shortly' },
  GW_ERR_NOT_SYNC_LEADER: { status: 503, message: 'Another process of this site runs its sync (it holds the sync lease); ask again on a new connection, or ask that process' },
  GW_ERR_BUSY: { status: 503, message: 'The site is at its bound for this kind of work; try again shortly' },
  GW_ERR_STREAM_FULL: { status: 503, message: 'The change stream has reached its subscriber limit; poll the change feed, or try again later' },
  GW_ERR_FORWARD_BUSY: { status: 503, message: 'Every connection to the root is in use and none came free within forward.timeouts.queue; try again shortly' },
  GW_ERR_TUNNEL_FULL: { status: 503, message: 'This tunnel has reached its connection limit; try again later' },
  GW_ERR_TUNNEL_HELLO_BUSY: { status: 503, message: 'Too many callers of this tunnel are still to send their CLASP HELLO; try again shortly' },
  GW_ERR_PEER_REFUSED: { status: 503, message: 'The link peer refused the connection' },
  GW_ERR_PEER_UNREACHABLE: { status: 503, message: 'The link peer cannot be reached (no route to it, or its name does not resolve)' },
  GW_ERR_TUNNEL_UPSTREAM_REFUSED: { status: 503, message: 'The tunnel upstream refused the connection' },
  GW_ERR_TUNNEL_UPSTREAM_UNREACHABLE: { status: 503, message: 'The tunnel upstream cannot be reached (no route to it, or its name does not resolve)' },
  GW_ERR_ROOT_TIMEOUT: { status: 504, message: 'The root did not answer in time' },
  // RFC 9111 §5.2.1.7 names 504 for it; never counted against the root, which was not asked.
  GW_ERR_NOT_CACHED: { status: 504, message: 'The request said only-if-cached and no stored answer may be used for it; the root was not asked' },
  GW_ERR_PEER_TIMEOUT: { status: 504, message: 'The link peer did not answer in time' },
  GW_ERR_TUNNEL_UPSTREAM_TIMEOUT: { status: 504, message: 'The tunnel upstream did not complete the WebSocket handshake in time' },
} as const

export type ErrorCode = keyof typeof errorCatalogue

export class GatewayError extends Error {
  readonly status: number
  constructor(
    readonly code: ErrorCode,
    /** Extra detail for the client; scrubbed of secrets before it is sent. */
    detail?: string,
    readonly headers: Record<string, string> = {},
    options?: ErrorOptions,
  ) {
    super(detail ? `${errorCatalogue[code].message}: ${detail}` : errorCatalogue[code].message, options)
    this.name = 'GatewayError'
    this.status = errorCatalogue[code].status
  }
}

/**
 * A short name for a failure, for logs, /health and messages: its `code` when that is text (ECONNREFUSED,
 * UND_ERR_…), else its name. A DOMException's `code` is a legacy number (AbortSignal.timeout's: 23), which
 * says nothing: its name (TimeoutError) does. Never a message, which may quote a header or a body.
 */
export function failureName(err: unknown): string {
  const e = err as { code?: unknown; name?: unknown } | undefined
  if (typeof e?.code === 'string') return e.code
  return typeof e?.name === 'string' ? e.name : 'error'
}

/** The kinds of upstream failure, each mapped to a code per kind of upstream (the root, a tunnel's). */
export type UpstreamFailure = 'refused' | 'unreachable' | 'timeout' | 'badResponse'

const ROOT_FAILURES: Record<UpstreamFailure, ErrorCode> = {
  refused: 'GW_ERR_ROOT_UNAVAILABLE',
  unreachable: 'GW_ERR_ROOT_UNAVAILABLE',
  timeout: 'GW_ERR_ROOT_TIMEOUT',
  badResponse: 'GW_ERR_ROOT_BAD_RESPONSE',
}

/** A tunnel's upstream is not necessarily the root: its failures must not read as the root's. */
export const TUNNEL_UPSTREAM_FAILURES: Record<UpstreamFailure, ErrorCode> = {
  refused: 'GW_ERR_TUNNEL_UPSTREAM_REFUSED',
  unreachable: 'GW_ERR_TUNNEL_UPSTREAM_UNREACHABLE',
  timeout: 'GW_ERR_TUNNEL_UPSTREAM_TIMEOUT',
  badResponse: 'GW_ERR_TUNNEL_UPSTREAM_BAD_RESPONSE',
}

/** A link's peer is another site, not the root: its failures show in the link's status, not the root's health. */
export const PEER_FAILURES: Record<UpstreamFailure, ErrorCode> = {
  refused: 'GW_ERR_PEER_REFUSED',
  unreachable: 'GW_ERR_PEER_UNREACHABLE',
  timeout: 'GW_ERR_PEER_TIMEOUT',
  badResponse: 'GW_ERR_PEER_BAD_RESPONSE',
}

function upstreamFailure(err: unknown): UpstreamFailure {
  const e = err as { code?: string; name?: string }
  // A request's own deadline (an AbortSignal timing out) aborts with a DOMException named so.
  if (e?.name === 'TimeoutError') return 'timeout'
  switch (e?.code ?? '') {
    case 'ECONNREFUSED':
      return 'refused'
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'unreachable'
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
    case 'ETIMEDOUT':
      return 'timeout'
    default:
      // Resets, closed sockets, parser errors (HPE_*), TLS failures: the upstream's answer is unusable.
      return 'badResponse'
  }
}

/** Maps an upstream failure (undici, node:net, node:tls) to the client-facing error, in one place: the root's codes unless told. */
export function upstreamError(err: unknown, codes: Record<UpstreamFailure, ErrorCode> = ROOT_FAILURES): GatewayError {
  if (err instanceof GatewayError) return err
  const kind = upstreamFailure(err)
  const headers: Record<string, string> = kind === 'refused' || kind === 'unreachable' ? { 'retry-after': '1' } : {}
  return new GatewayError(codes[kind], undefined, headers, { cause: err })
}

/** Is this failure the root's fault (it counts against the root's health)? */
export function isRootFailure(err: GatewayError): boolean {
  return err.code === 'GW_ERR_ROOT_UNAVAILABLE' || err.code === 'GW_ERR_ROOT_TIMEOUT' || err.code === 'GW_ERR_ROOT_BAD_RESPONSE'
}

export function errorBody(err: GatewayError): string {
  return scrubSecrets(JSON.stringify({ error: { code: err.code, message: err.message } }))
}

/** A fixed catalogue text (never request data), reduced to what a status line may carry. */
export function reasonPhrase(code: ErrorCode): string {
  return errorCatalogue[code].message.replace(/[^\x20-\x7e]/g, '')
}

/** Sends the error as JSON, or just ends the response if headers already went out. */
export function sendError(res: ServerResponse, err: GatewayError, head = false): void {
  if (res.headersSent) {
    res.destroy()
    return
  }
  const body = errorBody(err)
  // The catalogue's message as the reason phrase: npm-like clients print "<status> <reason>", not the body.
  res.writeHead(err.status, reasonPhrase(err.code), {
    ...err.headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  })
  res.end(head ? undefined : body)
}

/** Answers an upgrade request that will not be upgraded: status line, JSON body, connection closed. */
export function sendUpgradeError(socket: Duplex, err: GatewayError): void {
  const body = errorBody(err)
  const head = [
    `HTTP/1.1 ${err.status} ${STATUS_CODES[err.status] ?? ''}`,
    'connection: close',
    'content-type: application/json; charset=utf-8',
    `content-length: ${Buffer.byteLength(body)}`,
    'cache-control: no-store',
    ...Object.entries(err.headers).map(([k, v]) => `${k}: ${v}`),
  ]
  socket.end(`${head.join('\r\n')}\r\n\r\n${body}`)
  destroyOnceSent(socket)
}

/** Longest a refused connection may take to flush its last answer before it is cut. */
const LAST_ANSWER_MS = 2000

/**
 * Destroys a socket once the answer given to `end()` is written. Server sockets allow half-open and a
 * refused or upgraded socket is outside Node's HTTP timeouts, so a client that never closes its side
 * would otherwise hold the socket, and a graceful stop waiting for it, forever.
 */
export function destroyOnceSent(socket: Duplex): void {
  if (socket.destroyed) return
  if (socket.writableFinished) return void socket.destroy()
  socket.once('finish', () => socket.destroy())
  socket.on('error', () => socket.destroy())
  const backstop = setTimeout(() => socket.destroy(), LAST_ANSWER_MS)
  backstop.unref()
  socket.once('close', () => clearTimeout(backstop))
}
