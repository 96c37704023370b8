import type { AdminCheck, Route } from './plugin-api.ts'

/** What anyone may see: whether the site is well (its root up, if it has one). */
export interface BareHealth {
  status: 'ok' | 'degraded'
}

/**
 * GET /health: a bare status for anyone (monitors, load balancers); with an admin key, the detail (the
 * site, its role, the root's URL, state and last error, each plugin's contribution: token counts,
 * upstreams), which names what an attacker would look for. Without the `adminCheck` service (the hub
 * plugin off) there are no keys, and only the bare status is shown.
 */
export function healthRoute(o: { bare: () => BareHealth; detail: () => Record<string, unknown>; isAdmin?: AdminCheck }): Route {
  return {
    name: 'health',
    stage: 'gateway',
    match: (ctx) => ctx.path === '/health' && (ctx.method === 'GET' || ctx.method === 'HEAD'),
    async handle(ctx) {
      const detailed = o.isAdmin ? await o.isAdmin(ctx) : false
      const body = JSON.stringify(detailed ? o.detail() : o.bare())
      // 200 while degraded too: a child whose root is down still serves what it synchronized.
      ctx.res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' })
      ctx.res.end(ctx.method === 'HEAD' ? undefined : body)
    },
  }
}
