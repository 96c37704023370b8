// Opens the upstream side of a tunnel: wss:// with certificate checks (the configured CA added) or ws://.
import WebSocket from 'ws'
import { GatewayError, upstreamError } from '../../gateway/errors.ts'

export interface UpstreamOptions {
  url: URL
  ca?: Buffer
  maxMessageBytes: number
  connectTimeout: number
}

export function openUpstream(o: UpstreamOptions, protocols: string[], headers: Record<string, string>, signal: AbortSignal): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(o.url, protocols, {
      headers,
      ca: o.ca,
      rejectUnauthorized: true,
      maxPayload: o.maxMessageBytes,
      perMessageDeflate: false,
      handshakeTimeout: o.connectTimeout,
      followRedirects: false,
    })
    const onAbort = () => ws.terminate()
    signal.addEventListener('abort', onAbort, { once: true })
    const settle = () => signal.removeEventListener('abort', onAbort)
    ws.once('open', () => {
      settle()
      resolve(ws)
    })
    ws.on('error', (err) => {
      settle()
      if (ws.readyState !== WebSocket.OPEN) reject(tunnelUpstreamError(err))
    })
  })
}

/** ws's handshake failures mapped onto the catalogue; the rest goes through the shared mapping. */
function tunnelUpstreamError(err: Error): GatewayError {
  const status = /^Unexpected server response: (\d+)/.exec(err.message)?.[1]
  if (status) return new GatewayError('GW_ERR_ROOT_BAD_RESPONSE', `the upstream answered ${status} to the tunnel's upgrade`, {}, { cause: err })
  if (/handshake has timed out/.test(err.message)) return new GatewayError('GW_ERR_ROOT_TIMEOUT', undefined, {}, { cause: err })
  return upstreamError(err)
}
