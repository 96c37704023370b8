// The federation API for children: the change feed (with tombstones) and the list of repositories.
import { GatewayError } from '../../../gateway/errors.ts'
import type { RequestContext } from '../../../gateway/plugin-api.ts'
import { checkRepoName } from '../names.ts'
import type { Caller } from '../auth.ts'
import { revisionHeaders, type HubDeps } from './deps.ts'
import { countParam, onlyMethods, queryParam, sendJson } from './http.ts'

export function federationHandlers(d: HubDeps) {
  return {
    async changes(ctx: RequestContext): Promise<void> {
      onlyMethods(ctx, 'GET', 'HEAD')
      notByLink(await d.authorize(ctx, 'read'))
      const query = new URLSearchParams(ctx.query.slice(1))
      const since = countParam(query, 'since', 'a revision: an integer ≥ 0') ?? 0
      const repoParam = queryParam(ctx, 'repo')
      const repo = repoParam === undefined ? undefined : checkRepoName(repoParam)
      const asked = countParam(query, 'limit', 'an integer ≥ 1')
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
