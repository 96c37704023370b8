// The federation API for children: the change feed (with tombstones) and the list of repositories.
import { GatewayError } from '../../../gateway/errors.ts'
import type { RequestContext } from '../../../gateway/plugin-api.ts'
import { checkRepoName } from '../names.ts'
import type { Caller } from '../auth.ts'
import { revisionHeaders, type HubDeps } from './deps.ts'
import { onlyMethods, queryParam, sendJson } from './http.ts'

export function federationHandlers(d: HubDeps) {
  return {
    async changes(ctx: RequestContext): Promise<void> {
      onlyMethods(ctx, 'GET', 'HEAD')
      notByLink(await d.authorize(ctx, 'read'))
      const query = new URLSearchParams(ctx.query.slice(1))
      const since = count(query, 'since', 'a revision: an integer ≥ 0') ?? 0
      const repoParam = queryParam(ctx, 'repo')
      const repo = repoParam === undefined ? undefined : checkRepoName(repoParam)
      const asked = count(query, 'limit', 'an integer ≥ 1')
      if (asked === 0) throw new GatewayError('GW_ERR_BAD_REQUEST', 'limit is an integer ≥ 1')
      const limit = Math.min(asked ?? d.options.changesLimit, d.options.changesLimit)
      const page = await d.repos.changes(since, repo, limit)
      if (page === 'too-old') throw new GatewayError('GW_ERR_GONE', `since=${since}`)
      sendJson(ctx, 200, page, revisionHeaders(d))
    },

    async repos(ctx: RequestContext): Promise<void> {
      onlyMethods(ctx, 'GET', 'HEAD')
      notByLink(await d.authorize(ctx, 'read'))
      const revision = await d.repos.revision()
      sendJson(ctx, 200, { revision, repos: await d.repos.list() }, revisionHeaders(d))
    },
  }
}

/** The whole feed is for children's keys: a link's token reads its own, filtered feed (docs/protocol.md). */
function notByLink(caller: Caller): void {
  if (caller.link) throw new GatewayError('GW_ERR_FORBIDDEN', `link ${caller.link.name}'s token reads /api/v1/federation/link/changes`)
}

/** A query parameter that must be a decimal count when present, once: `since=`, `0x1` or two `since` are refused. */
function count(query: URLSearchParams, name: string, what: string): number | undefined {
  const values = query.getAll(name)
  if (values.length === 0) return undefined
  const n = Number(values[0])
  if (values.length > 1 || !/^\d{1,15}$/.test(values[0]!) || !Number.isSafeInteger(n)) throw new GatewayError('GW_ERR_BAD_REQUEST', `${name} is ${what}`)
  return n
}
