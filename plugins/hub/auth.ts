// Who may do what: the request's key (or a link's sync token), checked against the index on every request.
import { GatewayError } from '../../gateway/errors.ts'
import type { RequestContext } from '../../gateway/plugin-api.ts'
import { allows, presentedKey, type KeyInfo, type KeyRing, type Scope } from './keys.ts'
import { linkCovers, type LinkInfo, type LinkRing } from './links.ts'

/** Who a request is: a key, or the link a sync token belongs to (`link` set). */
export type Caller = KeyInfo & { link?: LinkInfo }

/**
 * Throws 401 without a valid key and 403 when the key lacks `need` (on `repo`, for publish). A link's
 * token reads only when its mode downloads, and only its repositories when `repo` is named.
 */
export type Authorize = (ctx: RequestContext, need: Scope, repo?: string) => Promise<Caller>

export function createAuthorize(keys: KeyRing, links?: LinkRing): Authorize {
  return async (ctx, need, repo) => {
    const presented = presentedKey(ctx.req.headers)
    const key = presented ? await keys.verify(presented) : undefined
    if (!key) {
      const link = presented && links ? await links.verify(presented) : undefined
      if (!link) throw new GatewayError('GW_ERR_UNAUTHORIZED', undefined, { 'www-authenticate': 'Bearer realm="fedgate"' })
      // A linked site reading here (a blob it downloads) is heard from, whatever it is allowed.
      links!.activity.during(link.name, ctx.res)
      checkLink(link, need === 'read' ? 'download' : need, repo)
      return { id: link.id, name: `link ${link.name}`, scope: 'read', namespaces: [], disabled: false, createdAt: link.createdAt, updatedAt: link.updatedAt, link }
    }
    if (!allows(key, need, repo)) throw new GatewayError('GW_ERR_FORBIDDEN', `a ${key.scope} key may not ${need === 'publish' ? `publish to ${repo ?? 'this repository'}` : `do ${need} operations`}`)
    return key
  }
}

/** Throws 403 unless `link` may `action` (on `repo` when named). */
export function checkLink(link: LinkInfo, action: 'download' | 'upload' | 'deleteUploaded' | Exclude<Scope, 'read'>, repo?: string): void {
  if (action === 'publish' || action === 'admin') throw new GatewayError('GW_ERR_FORBIDDEN', `link ${link.name}'s token may not do ${action} operations`)
  if (!link.actions[action]) throw new GatewayError('GW_ERR_FORBIDDEN', `link ${link.name} (mode ${link.mode}) does not ${action === 'deleteUploaded' ? 'take deletes' : action}`)
  if (repo !== undefined && !linkCovers(link, repo)) throw new GatewayError('GW_ERR_FORBIDDEN', `link ${link.name} does not carry ${repo}`)
}
