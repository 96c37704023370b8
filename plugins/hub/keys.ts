// Keys a site issues: to children (read), to publishers (publish, limited to namespace patterns) and to
// operators (admin). A kind of token (token-ring.ts): stored hashed, shown once, checked on every use.
import { GatewayError } from '../../gateway/errors.ts'
import type { Clock } from '../../gateway/util/clock.ts'
import type { IncomingHttpHeaders } from 'node:http'
import type { IndexStore } from './store/index.ts'
import { namespaceMatches } from './names.ts'
import { parseToken, TokenRing, type TokenInfo, type TokenKind } from './token-ring.ts'

export const scopes = ['read', 'publish', 'admin'] as const
export type Scope = (typeof scopes)[number]

/** A key as listed: everything but the hash. */
export interface KeyInfo extends TokenInfo {
  scope: Scope
  /** For publish keys: the repositories it may write (`acme/*`, `acme/app`, `*`). */
  namespaces: string[]
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9 ._@-]{0,63}$/
const PATTERN = /^(\*|[a-z0-9][a-z0-9._-]{0,63}\/(\*|[a-z0-9][a-z0-9._-]{0,63}))$/

/** A key's id and secret, or undefined. */
export const parseKey = parseToken

const KEYS: TokenKind<KeyInfo> = {
  noun: 'key',
  uniqueNames: false,
  order: (a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id),
}

export class KeyRing extends TokenRing<KeyInfo> {
  constructor(index: IndexStore, clock: Clock) {
    super(index, clock, KEYS)
  }

  async create(o: { name: string; scope: Scope; namespaces?: string[] }): Promise<{ key: string; info: KeyInfo }> {
    if (!NAME.test(o.name)) throw new GatewayError('GW_ERR_BAD_REQUEST', 'a key name is 1-64 of letters, digits, space . _ @ -')
    if (!scopes.includes(o.scope)) throw new GatewayError('GW_ERR_BAD_REQUEST', `scope is one of ${scopes.join(', ')}`)
    const namespaces = o.namespaces ?? []
    for (const p of namespaces) if (!PATTERN.test(p)) throw new GatewayError('GW_ERR_BAD_REQUEST', 'a namespace pattern is ns/*, ns/name or *')
    if (o.scope === 'publish' && namespaces.length === 0) throw new GatewayError('GW_ERR_BAD_REQUEST', 'a publish key needs namespaces (e.g. acme/*)')
    const { token, info } = await this.issue(o.name, { scope: o.scope, namespaces: o.scope === 'publish' ? namespaces : [] })
    return { key: token, info }
  }

  /** A new secret for the same key id, name and scope; the old secret stops working at once. */
  async recreate(id: string): Promise<{ key: string; info: KeyInfo }> {
    const { token, info } = await this.reissue(id)
    return { key: token, info }
  }
}

/** May a key with this record do `need` (on repository `repo`, for publish)? */
export function allows(key: KeyInfo, need: Scope, repo?: string): boolean {
  if (key.scope === 'admin') return true
  if (need === 'read') return true
  if (need === 'publish' && key.scope === 'publish') return repo !== undefined && key.namespaces.some((p) => namespaceMatches(p, repo))
  return false
}

/**
 * The key a request presents: `Authorization: Bearer <key>` or `X-ApiKey: <key>`. Both, naming two
 * different keys, is refused: which one a check took would be the gateway's guess.
 */
export function presentedKey(headers: IncomingHttpHeaders): string | undefined {
  const x = headers['x-apikey']
  const apiKey = typeof x === 'string' && x !== '' ? x.trim() : undefined
  const auth = headers.authorization
  if (auth) {
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(auth)?.[1]
    if (apiKey !== undefined && bearer !== apiKey) throw new GatewayError('GW_ERR_BAD_REQUEST', 'Authorization and X-ApiKey present two different keys: send one')
    return bearer
  }
  return apiKey
}
