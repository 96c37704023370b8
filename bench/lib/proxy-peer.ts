// The baseline proxy: a bare http-proxy-3 on node:http, with the keep-alive agent its docs recommend.
import http from 'node:http'
import { createProxyServer } from 'http-proxy-3'
import { listenLoopback } from './origin.ts'

export async function startBareProxy(target: string, maxSockets: number): Promise<{ url: string; close(): Promise<void> }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets })
  const proxy = createProxyServer({ target, agent })
  proxy.on('error', (_err, _req, res) => {
    if (res && 'writeHead' in res && !res.headersSent) res.writeHead(502).end()
    else res?.destroy()
  })
  const server = http.createServer((req, res) => proxy.web(req, res))
  return listenLoopback(server, () => agent.destroy())
}
