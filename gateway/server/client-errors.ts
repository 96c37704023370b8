// Requests Node's parser refuses before any handler runs (oversized heads, smuggling, slow clients,
// pipelined bursts): answered with the catalogue's status on the raw socket, logged, and closed.
import { STATUS_CODES } from 'node:http'
import type { Duplex } from 'node:stream'
import type { Logger } from 'pino'
import { GatewayError, errorBody, type ErrorCode } from '../errors.ts'

function codeFor(err: NodeJS.ErrnoException): ErrorCode | undefined {
  switch (err.code) {
    case 'HPE_HEADER_OVERFLOW':
      return 'GW_ERR_HEADERS_TOO_LARGE'
    case 'ERR_HTTP_REQUEST_TIMEOUT':
    case 'HPE_HEADERS_TIMEOUT':
      return 'GW_ERR_REQUEST_TIMEOUT'
    // Node pauses a connection's parser while its answers wait to be sent (a pipelined burst: ~2,000
    // requests in one TLS write) and fails when more bytes reach it: the requests are well formed.
    case 'HPE_PAUSED':
      return 'GW_ERR_PIPELINE_TOO_DEEP'
    case 'ECONNRESET':
    case 'EPIPE':
      return undefined
    default:
      return 'GW_ERR_BAD_REQUEST'
  }
}

export function handleClientError(err: NodeJS.ErrnoException, socket: Duplex, log: Logger): void {
  const code = codeFor(err)
  if (code) log.warn({ refused: code, reason: err.code, remote: (socket as { remoteAddress?: string }).remoteAddress }, 'request refused before routing')
  if (!code || !socket.writable || (socket as { _httpMessage?: unknown })._httpMessage) {
    socket.destroy()
    return
  }
  const ge = new GatewayError(code, err.code === 'HPE_HEADER_OVERFLOW' ? undefined : String(err.code))
  const body = errorBody(ge)
  socket.end(
    `HTTP/1.1 ${ge.status} ${STATUS_CODES[ge.status] ?? 'Error'}\r\nconnection: close\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  )
  socket.on('error', () => socket.destroy())
}
