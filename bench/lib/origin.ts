// A bare node:http origin on loopback answering every request with the same small body.
import http from 'node:http'
import type { AddressInfo } from 'node:net'

export interface BenchOrigin {
  url: string
  close(): Promise<void>
}

export async function startBenchOrigin(body: Buffer, contentType = 'application/json'): Promise<BenchOrigin> {
  const server = http.createServer({ keepAliveTimeout: 30_000 }, (req, res) => {
    req.resume()
    res.writeHead(200, { 'content-type': contentType, 'content-length': body.length })
    res.end(body)
  })
  return listenLoopback(server)
}

/** Listens on 127.0.0.1 at a free port; close() drops keep-alive connections too. */
export async function listenLoopback(server: http.Server, onClose?: () => void): Promise<BenchOrigin> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((r) => server.close(() => r()))
      onClose?.()
    },
  }
}

/** About `bytes` of JSON, like a small metadata answer. */
export function jsonBody(bytes: number): Buffer {
  const items: { name: string; digest: string }[] = []
  let s = ''
  for (let i = 0; (s = JSON.stringify({ items })).length < bytes; i++) items.push({ name: `tag-${i}`, digest: 'sha256:' + String(i).padStart(8, '0') })
  return Buffer.from(s)
}
