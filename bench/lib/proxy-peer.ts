// The baseline proxy: a bare http-proxy-3 on node:http, with the keep-alive agent its docs recommend.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { createProxyServer } from 'http-proxy-3'

export async function startBareProxy(target: string, maxSockets: number): Promise<{ url: string; close(): Promise<void> }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets })
  const proxy = createProxyServer({ target, agent })
  proxy.on('error', (_err, _req, res) => {
    if (res && 'writeHead' in res && !res.headersSent) res.writeHead(502).end()
    else res?.destroy()
  })
  const server = http.createServer((req, res) => proxy.web(req, res))
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((r) => server.close(() => r()))
      agent.destroy()
    },
  }
}
