// The sync plugin's HTTP surface (docs/protocol.md): the status of every synchronized repository,
// and the admin calls that add repositories and start a sync. Admin calls need an admin-scope key.
import { GatewayError } from '../../gateway/errors.ts'
import type { RequestContext, Route } from '../../gateway/plugin-api.ts'
import type { Authorize } from '../hub/auth.ts'
import { sendJson as sendJsonWith, readJson, onlyMethods } from '../hub/routes/http.ts'
import { isRepoName } from '../hub/names.ts'
import { selected } from './patterns.ts'
import type { RepoSet } from './repo-set.ts'
import type { SyncScheduler } from './scheduler.ts'

// Status changes from one second to the next: never cached.
const sendJson = (ctx: RequestContext, status: number, value: unknown) => sendJsonWith(ctx, status, value, { 'cache-control': 'no-store' })

export function syncRoutes(d: {
  scheduler: SyncScheduler
  set: RepoSet
  authorize: Authorize
  leading: () => boolean
  /** The status answer: this process's while it leads, else the leader's (status-board.ts). */
  statusBody: () => Record<string, unknown>
  add: (name: string) => Promise<boolean>
}): Route[] {
  const { statusBody } = d
  return [
    {
      name: 'sync-status',
      stage: 'gateway',
      match: (ctx) => ctx.path === '/api/v1/federation/status',
      async handle(ctx) {
        onlyMethods(ctx, 'GET', 'HEAD')
        await d.authorize(ctx, 'read')
        sendJson(ctx, 200, statusBody())
      },
    },
    {
      name: 'sync-admin-repos',
      stage: 'gateway',
      match: (ctx) => ctx.path === '/api/v1/admin/repos',
      async handle(ctx) {
        onlyMethods(ctx, 'POST', 'GET')
        await d.authorize(ctx, 'admin')
        // The repositories' states are the leader's: another process has none to show.
        notLeader(d.leading)
        if (ctx.method === 'GET') return sendJson(ctx, 200, statusBody())
        const { name } = await readJson(ctx.req)
        if (typeof name !== 'string') throw new GatewayError('GW_ERR_BAD_REQUEST', 'the body is {"name": "ns/name"} or {"name": "ns/*"}')
        const added = await d.add(name)
        sendJson(ctx, added ? 201 : 200, { name, added, ...statusBody() })
      },
    },
    {
      name: 'sync-admin-sync',
      stage: 'gateway',
      match: (ctx) => ctx.path === '/api/v1/admin/sync',
      async handle(ctx) {
        onlyMethods(ctx, 'POST')
        await d.authorize(ctx, 'admin')
        notLeader(d.leading)
        const { name, wait } = await readJson(ctx.req)
        // A name, never a pattern: it becomes a path at the upstream and an entry in the status.
        if (name !== undefined && (typeof name !== 'string' || !isRepoName(name))) throw new GatewayError('GW_ERR_BAD_REQUEST', '"name" must be ns/name (lower-case; sync a pattern\'s repositories with {})')
        let work: Promise<unknown>
        let names: string[]
        if (name) {
          if (!selected(d.set.entries(), name)) throw new GatewayError('GW_ERR_NOT_FOUND', `${name} is not synchronized here; add it first`)
          names = [name]
          work = d.scheduler.request(name)
        } else {
          names = await d.scheduler.selected()
          work = Promise.all(names.map((n) => d.scheduler.request(n)))
        }
        if (wait === true) {
          await work
          return sendJson(ctx, 200, { started: names, ...statusBody() })
        }
        sendJson(ctx, 202, { started: names })
      },
    },
  ]
}

/** Only the process holding the sync lease runs syncs (leader.ts); another process says so. */
function notLeader(leading: () => boolean): void {
  if (!leading()) throw new GatewayError('GW_ERR_NOT_SYNC_LEADER')
}
