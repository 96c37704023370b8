// Who may do what: the request's key, checked against the key ring on every request.
import { GatewayError } from '../../gateway/errors.ts'
import type { RequestContext } from '../../gateway/plugin-api.ts'
import { allows, presentedKey, type KeyInfo, type KeyRing, type Scope } from './keys.ts'

/** Throws 401 without a valid key and 403 when the key lacks `need` (on `repo`, for publish). */
export type Authorize = (ctx: RequestContext, need: Scope, repo?: string) => Promise<KeyInfo>

export function createAuthorize(keys: KeyRing): Authorize {
  return async (ctx, need, repo) => {
    const presented = presentedKey(ctx.req.headers)
    const key = presented ? await keys.verify(presented) : undefined
    if (!key) throw new GatewayError('GW_ERR_UNAUTHORIZED', undefined, { 'www-authenticate': 'Bearer realm="fedgate"' })
    if (!allows(key, need, repo)) throw new GatewayError('GW_ERR_FORBIDDEN', `a ${key.scope} key may not ${need === 'publish' ? `publish to ${repo ?? 'this repository'}` : `do ${need} operations`}`)
    return key
  }
}
