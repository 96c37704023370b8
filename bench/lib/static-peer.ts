// A bare node:http and node:https server answering fixed bytes per path from memory, with the headers a
// fedgate blob answer carries (ETag = digest, immutable caching, Accept-Ranges), so every row of the hit
// bench sends the same answer: the floor any Node server can reach, and the origin behind nginx's cache.
import { createHash } from 'node:crypto'
import http from 'node:http'
import https from 'node:https'
import type { AddressInfo } from 'node:net'
import pino from 'pino'

export interface StaticPeer {
  httpUrl: string
  httpsUrl: string
  close(): Promise<void>
}

/**
 * With `logFile`, each answer also writes one plain pino line (level, time, site, method, path, status,
 * duration; no scrubbing) to that file through an asynchronous destination when its response finishes,
 * as a Node server logging its requests the common way would: the hit bench's measure of what a request
 * log costs any Node server. The line's format follows the gateway's (gateway/log.ts) without its scrubber.
 */
export async function startStaticPeer(bodies: ReadonlyMap<string, Buffer>, tls: { key: string | Buffer; cert: string | Buffer }, o: { logFile?: string } = {}): Promise<StaticPeer> {
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
  const destination = o.logFile === undefined ? undefined : pino.destination({ dest: o.logFile, sync: false })
  const log = destination && pino({ base: { site: 'bare' }, formatters: { level: (label) => ({ level: label }) } }, destination)
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
    close: async () => {
      await Promise.all([stop(plain), stop(secure)])
      // end() waits for the destination to open and writes what is pending before it closes the file.
      if (destination) await new Promise<void>((r) => destination.once('close', () => r()).end())
    },
  }
}
