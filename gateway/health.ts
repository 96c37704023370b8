import type { Route } from './plugin-api.ts'

/** GET /health: the site, its role, the root's state and since when, and each plugin's contribution. */
export function healthRoute(health: () => Record<string, unknown>): Route {
  return {
    name: 'health',
    stage: 'gateway',
    match: (ctx) => ctx.path === '/health' && (ctx.method === 'GET' || ctx.method === 'HEAD'),
    handle(ctx) {
      const body = JSON.stringify(health())
      ctx.res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' })
      ctx.res.end(ctx.method === 'HEAD' ? undefined : body)
    },
  }
}
