// Key management over HTTP (admin scope). The key itself is only in the answers to create and recreate.
import { GatewayError } from '../../../gateway/errors.ts'
import type { RequestContext } from '../../../gateway/plugin-api.ts'
import { scopes, type Scope } from '../keys.ts'
import type { HubDeps } from './deps.ts'
import { onlyMethods, readJson, sendJson } from './http.ts'

export function adminKeyHandlers(d: HubDeps) {
  return {
    async keys(ctx: RequestContext): Promise<void> {
      onlyMethods(ctx, 'GET', 'POST')
      await d.authorize(ctx, 'admin')
      if (ctx.method === 'GET') return sendJson(ctx, 200, { keys: await d.keys.list() }, { 'cache-control': 'no-store' })
      const body = await readJson(ctx.req)
      const { name, scope, namespaces } = body
      if (typeof name !== 'string' || typeof scope !== 'string' || !scopes.includes(scope as Scope)) {
        throw new GatewayError('GW_ERR_BAD_REQUEST', `the body is {"name": "...", "scope": "${scopes.join('|')}", "namespaces": ["acme/*"]}`)
      }
      if (namespaces !== undefined && !(Array.isArray(namespaces) && namespaces.every((n) => typeof n === 'string'))) {
        throw new GatewayError('GW_ERR_BAD_REQUEST', 'namespaces is a list of patterns')
      }
      const created = await d.keys.create({ name, scope: scope as Scope, namespaces: namespaces as string[] | undefined })
      sendJson(ctx, 201, { key: created.key, ...created.info }, { 'cache-control': 'no-store' })
    },

    async action(ctx: RequestContext, id: string, action: 'disable' | 'enable' | 'recreate'): Promise<void> {
      onlyMethods(ctx, 'POST')
      await d.authorize(ctx, 'admin')
      if (action === 'recreate') {
        const r = await d.keys.recreate(id)
        return sendJson(ctx, 200, { key: r.key, ...r.info }, { 'cache-control': 'no-store' })
      }
      sendJson(ctx, 200, await d.keys.setDisabled(id, action === 'disable'), { 'cache-control': 'no-store' })
    },
  }
}
