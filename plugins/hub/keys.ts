// Keys a site issues: to children (read), to publishers (publish, limited to namespace patterns) and to
// operators (admin). Only the sha256 of a key's secret is stored; the key itself is shown once, on
// create and recreate. Every check reads the index (no cache), so a disabled key stops working at once.
import { createHash, randomBytes } from 'node:crypto'
import { GatewayError } from '../../gateway/errors.ts'
import { constantTimeEqual, ISSUED_KEY } from '../../gateway/config/secret.ts'
import type { Clock } from '../../gateway/util/clock.ts'
import type { IncomingHttpHeaders } from 'node:http'
import type { IndexStore } from './store/index.ts'
import { namespaceMatches } from './names.ts'

export const scopes = ['read', 'publish', 'admin'] as const
export type Scope = (typeof scopes)[number]

/** A key as listed: everything but the hash. */
export interface KeyInfo {
  id: string
  name: string
  scope: Scope
  /** For publish keys: the repositories it may write (`acme/*`, `acme/app`, `*`). */
  namespaces: string[]
  disabled: boolean
  createdAt: string
  updatedAt: string
}

interface KeyRecord extends KeyInfo {
  /** sha256 (hex) of the secret part. */
  hash: string
}

const KEY_FORMAT = new RegExp(`^${ISSUED_KEY.source}$`)
const NAME = /^[A-Za-z0-9][A-Za-z0-9 ._@-]{0,63}$/
const PATTERN = /^(\*|[a-z0-9][a-z0-9._-]{0,63}\/(\*|[a-z0-9][a-z0-9._-]{0,63}))$/
const keyKey = (id: string) => `key/${id}`
const hashOf = (secret: string) => createHash('sha256').update(secret).digest('hex')

/** A key's id and secret (`fgk_<16 hex>_<43 base64url>`, the secret may hold `_`), or undefined. */
export function parseKey(key: string): { id: string; secret: string } | undefined {
  // `fgk_` + 16-character id + `_`: fixed offsets.
  return KEY_FORMAT.test(key) ? { id: key.slice(4, 20), secret: key.slice(21) } : undefined
}

export class KeyRing {
  readonly #index: IndexStore
  readonly #clock: Clock
  /** Told after a key is disabled or recreated here, so holders of long-lived connections re-check. */
  readonly #changed = new Set<() => void>()

  constructor(index: IndexStore, clock: Clock) {
    this.#index = index
    this.#clock = clock
  }

  async create(o: { name: string; scope: Scope; namespaces?: string[] }): Promise<{ key: string; info: KeyInfo }> {
    if (!NAME.test(o.name)) throw new GatewayError('GW_ERR_BAD_REQUEST', 'a key name is 1-64 of letters, digits, space . _ @ -')
    if (!scopes.includes(o.scope)) throw new GatewayError('GW_ERR_BAD_REQUEST', `scope is one of ${scopes.join(', ')}`)
    const namespaces = o.namespaces ?? []
    for (const p of namespaces) if (!PATTERN.test(p)) throw new GatewayError('GW_ERR_BAD_REQUEST', 'a namespace pattern is ns/*, ns/name or *')
    if (o.scope === 'publish' && namespaces.length === 0) throw new GatewayError('GW_ERR_BAD_REQUEST', 'a publish key needs namespaces (e.g. acme/*)')
    const id = randomBytes(8).toString('hex')
    const secret = randomBytes(32).toString('base64url')
    const now = new Date(this.#clock.now()).toISOString()
    const record: KeyRecord = { id, name: o.name, scope: o.scope, namespaces: o.scope === 'publish' ? namespaces : [], disabled: false, createdAt: now, updatedAt: now, hash: hashOf(secret) }
    await this.#index.set(keyKey(id), record)
    return { key: reveal(id, secret), info: infoOf(record) }
  }

  async list(): Promise<KeyInfo[]> {
    const out: KeyInfo[] = []
    for await (const [, r] of this.#index.scan<KeyRecord>('key/')) out.push(infoOf(r))
    return out.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id))
  }

  onChange(listener: () => void): () => void {
    this.#changed.add(listener)
    return () => this.#changed.delete(listener)
  }

  async setDisabled(id: string, disabled: boolean): Promise<KeyInfo> {
    const info = infoOf(await this.#update(id, (r) => ({ ...r, disabled })))
    for (const l of this.#changed) l()
    return info
  }

  /** A new secret for the same key id, name and scope; the old secret stops working at once. */
  async recreate(id: string): Promise<{ key: string; info: KeyInfo }> {
    const secret = randomBytes(32).toString('base64url')
    const next = await this.#update(id, (r) => ({ ...r, hash: hashOf(secret) }))
    for (const l of this.#changed) l()
    return { key: reveal(id, secret), info: infoOf(next) }
  }

  /**
   * Writes `change(record)` only if the record is still the one it was computed from (compare-and-set),
   * else computes it again: a recreate racing an enable, from two admins or the CLI and a site, must not
   * write back the hash the other read, which would revive the retired secret.
   */
  async #update(id: string, change: (r: KeyRecord) => KeyRecord): Promise<KeyRecord> {
    for (let attempt = 0; attempt < 50; attempt++) {
      const r = await this.#record(id)
      const next = { ...change(r), updatedAt: new Date(this.#clock.now()).toISOString() }
      if (await this.#index.compareAndSet(keyKey(id), r, [[keyKey(id), next]])) return next
    }
    throw new GatewayError('GW_ERR_CONFLICT', 'too many concurrent changes to this key; try again')
  }

  /** The key's record if `presented` is a known, enabled key; compared in constant time. */
  async verify(presented: string): Promise<KeyInfo | undefined> {
    const parsed = parseKey(presented)
    const record = parsed ? await this.#index.get<KeyRecord>(keyKey(parsed.id)) : undefined
    // Always one comparison, so an unknown id costs the same as a wrong secret.
    const ok = constantTimeEqual(record?.hash ?? '0'.repeat(64), hashOf(parsed?.secret ?? presented))
    if (!record || !ok || record.disabled) return undefined
    return infoOf(record)
  }

  /**
   * The key as the ring stores it (id and sha256 of the secret), for holders that must re-check a key
   * later without keeping it (admin sessions): verify it first.
   */
  static fingerprint(key: string): { id: string; hash: string } | undefined {
    const parsed = parseKey(key)
    return parsed && { id: parsed.id, hash: hashOf(parsed.secret) }
  }

  /** As verify, for a fingerprint: undefined once the key is disabled, recreated or deleted. */
  async verifyFingerprint(f: { id: string; hash: string }): Promise<KeyInfo | undefined> {
    const record = /^[0-9a-f]{16}$/.test(f.id) ? await this.#index.get<KeyRecord>(keyKey(f.id)) : undefined
    if (!record || !constantTimeEqual(record.hash, f.hash) || record.disabled) return undefined
    return infoOf(record)
  }

  async #record(id: string): Promise<KeyRecord> {
    const r = /^[0-9a-f]{16}$/.test(id) ? await this.#index.get<KeyRecord>(keyKey(id)) : undefined
    if (!r) throw new GatewayError('GW_ERR_NOT_FOUND', `no key with id ${JSON.stringify(id.slice(0, 20))}`)
    return r
  }
}

/** May a key with this record do `need` (on repository `repo`, for publish)? */
export function allows(key: KeyInfo, need: Scope, repo?: string): boolean {
  if (key.scope === 'admin') return true
  if (need === 'read') return true
  if (need === 'publish' && key.scope === 'publish') return repo !== undefined && key.namespaces.some((p) => namespaceMatches(p, repo))
  return false
}

/** The key a request presents: `Authorization: Bearer <key>` or `X-ApiKey: <key>`. */
export function presentedKey(headers: IncomingHttpHeaders): string | undefined {
  const auth = headers.authorization
  if (auth) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth)
    return m?.[1]
  }
  const x = headers['x-apikey']
  return typeof x === 'string' && x !== '' ? x.trim() : undefined
}

/** The key as shown once; logs and error bodies scrub it by its shape (ISSUED_KEY), nothing is remembered. */
function reveal(id: string, secret: string): string {
  return `fgk_${id}_${secret}`
}

function infoOf(r: KeyRecord): KeyInfo {
  const { hash: _hash, ...info } = r
  return info
}
