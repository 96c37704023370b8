// The federation API for children: the change feed (with tombstones) and the list of repositories.
import { GatewayError } from '../../../gateway/errors.ts'
import type { RequestContext } from '../../../gateway/plugin-api.ts'
import { checkRepoName } from '../names.ts'
import type { HubDeps } from './deps.ts'
import { onlyMethods, queryParam, sendJson } from './http.ts'

export function federationHandlers(d: HubDeps) {
  return {
    async changes(ctx: RequestContext): Promise<void> {
      onlyMethods(ctx, 'GET', 'HEAD')
      await d.authorize(ctx, 'read')
      const since = Number(queryParam(ctx, 'since') ?? '0')
      if (!Number.isSafeInteger(since) || since < 0) throw new GatewayError('GW_ERR_BAD_REQUEST', 'since is a revision: an integer ≥ 0')
      const repoParam = queryParam(ctx, 'repo')
      const repo = repoParam === undefined ? undefined : checkRepoName(repoParam)
      const asked = Number(queryParam(ctx, 'limit') ?? d.options.changesLimit)
      const limit = Number.isSafeInteger(asked) && asked > 0 ? Math.min(asked, d.options.changesLimit) : d.options.changesLimit
      const page = await d.repos.changes(since, repo, limit)
      if (page === 'too-old') throw new GatewayError('GW_ERR_GONE', `since=${since}`)
      sendJson(ctx, 200, page)
    },

    async repos(ctx: RequestContext): Promise<void> {
      onlyMethods(ctx, 'GET', 'HEAD')
      await d.authorize(ctx, 'read')
      const revision = await d.repos.revision()
      sendJson(ctx, 200, { revision, repos: await d.repos.list() })
    },
  }
}
