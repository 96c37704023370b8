// On-demand npm sync for operators: `POST /api/v1/admin/npm/sync` `{"name"?: "pkg", "wait"?: true}`
// (admin key) runs the sync now instead of at the next round; GET shows every package's status.
import { GatewayError } from '../../gateway/errors.ts'
import type { Route } from '../../gateway/plugin-api.ts'
import { readJson, sendJson } from '../hub/routes/http.ts'
import { selected } from '../sync/patterns.ts'
import type { Authorize } from '../hub/auth.ts'
import type { SyncScheduler } from '../sync/scheduler.ts'
import type { SyncStatus } from '../sync/status.ts'

export const NPM_SYNC_PATH = '/api/v1/admin/npm/sync'

export function adminSyncRoute(d: { scheduler: SyncScheduler; status: SyncStatus; entries: () => readonly string[]; authorize: Authorize }): Route {
  const statusBody = () => ({ entries: d.entries(), packages: d.status.view() })
  return {
    name: 'npm-admin-sync',
    stage: 'gateway',
    match: (ctx) => ctx.path === NPM_SYNC_PATH,
    async handle(ctx) {
      if (ctx.method !== 'POST' && ctx.method !== 'GET') throw new GatewayError('GW_ERR_METHOD_NOT_ALLOWED', undefined, { allow: 'GET, POST' })
      await d.authorize(ctx, 'admin')
      if (ctx.method === 'GET') return sendJson(ctx, 200, statusBody())
      const { name, wait } = await readJson(ctx.req)
      if (name !== undefined && typeof name !== 'string') throw new GatewayError('GW_ERR_BAD_REQUEST', '"name" must be a package name')
      if (name && !selected(d.entries(), name)) throw new GatewayError('GW_ERR_NOT_FOUND', `${name} is not in npm.packages here`)
      const names = name ? [name] : await d.scheduler.selected()
      const work = Promise.all(names.map((n) => d.scheduler.request(n)))
      if (wait !== true) {
        work.catch(() => {})
        return sendJson(ctx, 202, { started: names })
      }
      await work
      sendJson(ctx, 200, { started: names, ...statusBody() })
    },
  }
}
