// A bare node:http and node:https server answering fixed bytes per path from memory, with the headers a
// fedgate blob answer carries (ETag = digest, immutable caching, Accept-Ranges), so every row of the hit
// bench sends the same answer: the floor any Node server can reach, and the origin behind nginx's cache.
import { createHash } from 'node:crypto'
import http from 'node:http'
import https from 'node:https'
import type { AddressInfo } from 'node:net'
import type { Logger } from 'pino'

export interface StaticPeer {
  httpUrl: string
  httpsUrl: string
  close(): Promise<void>
}

/**
 * With `log`, each answer also writes one pino line (method, path, status, duration) when its response
 * finishes, as a Node server logging its requests the common way would: the hit bench's measure of what
 * a request log costs any Node server.
 */
export async function startStaticPeer(bodies: ReadonlyMap<string, Buffer>, tls: { key: string | Buffer; cert: string | Buffer }, o: { log?: Logger } = {}): Promise<StaticPeer> {
  const etags = new Map([...bodies].map(([path, body]) => [path, `"sha256:${createHash('sha256').update(body).digest('hex')}"`]))
  const answer = (req: http.IncomingMessage, res: http.ServerResponse) => {
    req.resume()
    const body = bodies.get(req.url ?? '')
    if (!body) {
      res.writeHead(404, { 'content-length': 0 })
      return void res.end()
    }
    res.writeHead(200, {
      etag: etags.get(req.url!)!,
      'accept-ranges': 'bytes',
      'content-type': 'application/octet-stream',
      'content-length': body.length,
      'cache-control': 'public, max-age=31536000, immutable',
    })
    res.end(req.method === 'HEAD' ? undefined : body)
  }
  const log = o.log
  const handler = !log
    ? answer
    : (req: http.IncomingMessage, res: http.ServerResponse) => {
        const started = performance.now()
        res.on('finish', () => log.info({ method: req.method, path: req.url, status: res.statusCode, ms: performance.now() - started }, 'request'))
        answer(req, res)
      }
  const plain = http.createServer({ keepAliveTimeout: 30_000 }, handler)
  const secure = https.createServer({ keepAliveTimeout: 30_000, ...tls }, handler)
  const listen = (s: http.Server) => new Promise<number>((r) => s.listen(0, '127.0.0.1', () => r((s.address() as AddressInfo).port)))
  const stop = (s: http.Server) => {
    s.closeAllConnections()
    return new Promise<void>((r) => s.close(() => r()))
  }
  return {
    httpUrl: `http://127.0.0.1:${await listen(plain)}`,
    httpsUrl: `https://127.0.0.1:${await listen(secure)}`,
    close: async () => void (await Promise.all([stop(plain), stop(secure)])),
  }
}
