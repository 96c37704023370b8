// Where /metrics is answered: on the site's listeners behind an admin key (the default), or on a
// listener of its own on a loopback address with no key, as exporters usually are (`metrics.listen`).
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { GatewayError, sendError } from '../errors.ts'
import type { AdminCheck, Route } from '../plugin-api.ts'
import type { MetricsRegistry } from './registry.ts'

const isMetrics = (method: string, path: string) => path === '/metrics' && (method === 'GET' || method === 'HEAD')

async function answer(res: http.ServerResponse, head: boolean, registry: MetricsRegistry): Promise<void> {
  const body = await registry.metrics()
  res.writeHead(200, { 'content-type': registry.contentType, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' })
  res.end(head ? undefined : body)
}

/** The gateway-stage route: an admin key or nothing (401 without one, 403 for another key). */
export function metricsRoute(registry: MetricsRegistry, isAdmin: AdminCheck | undefined): Route {
  return {
    name: 'metrics',
    stage: 'gateway',
    match: (ctx) => isMetrics(ctx.method, ctx.path),
    async handle(ctx) {
      // No adminCheck service (the hub plugin off): no key can be checked, so nothing is shown here.
      if (!isAdmin || !(await isAdmin(ctx))) throw new GatewayError('GW_ERR_UNAUTHORIZED', 'An admin key is required for /metrics (or set metrics.listen to serve it on a loopback listener)')
      await answer(ctx.res, ctx.method === 'HEAD', registry)
    },
  }
}

/** The loopback listener of `metrics.listen`: /metrics with no key, 404 for anything else. */
export async function startMetricsListener(registry: MetricsRegistry, host: string, port: number, option = 'metrics.listen'): Promise<{ port: number; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!
    if (!isMetrics(req.method ?? 'GET', path)) return sendError(res, new GatewayError('GW_ERR_NOT_FOUND'), req.method === 'HEAD')
    answer(res, req.method === 'HEAD', registry).catch((err) => sendError(res, err instanceof GatewayError ? err : new GatewayError('GW_ERR_INTERNAL', undefined, {}, { cause: err }), false))
  })
  server.headersTimeout = 10_000
  server.requestTimeout = 30_000
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(new Error(`${option}: cannot listen on ${host}:${port}: ${err.code === 'EADDRINUSE' ? 'the port is in use' : err.code ?? err.message}`)))
    server.listen(port, host, () => resolve())
  })
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}
