// Tokens a site issues and checks: API keys (keys.ts) and links' sync tokens (links.ts), each kind a
// configuration of this one ring. Only the sha256 of a token's secret is stored; the token is shown
// once, on issue and reissue. Every check reads the index (no cache), so a disabled token stops working
// at once.
import { createHash, randomBytes } from 'node:crypto'
import { GatewayError } from '../../gateway/errors.ts'
import { constantTimeEqual, ISSUED_KEY } from '../../gateway/config/secret.ts'
import type { Clock } from '../../gateway/util/clock.ts'
import type { IndexStore } from './store/index.ts'

/** What every issued token has, as listed (never its hash). */
export interface TokenInfo {
  id: string
  name: string
  disabled: boolean
  createdAt: string
  updatedAt: string
}

/** A kind of token: where it is kept, how it is named and listed. */
export interface TokenKind<Info extends TokenInfo> {
  /** The word in messages, and the index prefix (`<noun>/<id>`). */
  noun: string
  /** Names are unique, and a token is found by its name as well as its id. */
  uniqueNames: boolean
  /** The order of list(). */
  order: (a: Info, b: Info) => number
}

/** A token as shown once, with what it carries. */
export interface Issued<Info> {
  token: string
  info: Info
}

type StoredToken<Info> = Info & { /** sha256 (hex) of the secret part. */ hash: string }

const TOKEN_FORMAT = new RegExp(`^${ISSUED_KEY.source}$`)
const ID = /^[0-9a-f]{16}$/
const hashOf = (secret: string) => createHash('sha256').update(secret).digest('hex')

/** A token's id and secret (`fgk_<16 hex>_<43 base64url>`, the secret may hold `_`), or undefined. */
export function parseToken(token: string): { id: string; secret: string } | undefined {
  // `fgk_` + 16-character id + `_`: fixed offsets.
  return TOKEN_FORMAT.test(token) ? { id: token.slice(4, 20), secret: token.slice(21) } : undefined
}

export class TokenRing<Info extends TokenInfo> {
  readonly #index: IndexStore
  readonly #clock: Clock
  readonly #kind: TokenKind<Info>
  /** Told after a token is disabled or reissued here, so holders of long-lived connections re-check. */
  readonly #changed = new Set<() => void>()

  constructor(index: IndexStore, clock: Clock, kind: TokenKind<Info>) {
    this.#index = index
    this.#clock = clock
    this.#kind = kind
  }

  #key(id: string): string {
    return `${this.#kind.noun}/${id}`
  }

  /** A new token carrying `fields` (checked by the caller) under `name`. */
  protected async issue(name: string, fields: Omit<Info, keyof TokenInfo>): Promise<Issued<Info>> {
    if (this.#kind.uniqueNames && (await this.list()).some((t) => t.name === name)) {
      throw new GatewayError('GW_ERR_CONFLICT', `a ${this.#kind.noun} named ${name} exists; recreate it for a new token`)
    }
    const id = randomBytes(8).toString('hex')
    const secret = randomBytes(32).toString('base64url')
    const now = new Date(this.#clock.now()).toISOString()
    const record = { ...fields, id, name, disabled: false, createdAt: now, updatedAt: now, hash: hashOf(secret) } as StoredToken<Info>
    await this.#index.set(this.#key(id), record)
    return { token: reveal(id, secret), info: infoOf(record) }
  }

  async list(): Promise<Info[]> {
    const out: Info[] = []
    for await (const [, r] of this.#index.scan<StoredToken<Info>>(`${this.#kind.noun}/`)) out.push(infoOf(r))
    return out.sort(this.#kind.order)
  }

  /** A token by id, or by name where names are unique. */
  async find(ref: string): Promise<Info> {
    const byId = ID.test(ref) ? await this.#index.get<StoredToken<Info>>(this.#key(ref)) : undefined
    const found = byId ? infoOf(byId) : this.#kind.uniqueNames ? (await this.list()).find((t) => t.name === ref) : undefined
    if (!found) throw new GatewayError('GW_ERR_NOT_FOUND', `no ${this.#kind.noun} ${JSON.stringify(ref.slice(0, 64))}`)
    return found
  }

  onChange(listener: () => void): () => void {
    this.#changed.add(listener)
    return () => this.#changed.delete(listener)
  }

  async setDisabled(ref: string, disabled: boolean): Promise<Info> {
    const info = infoOf(await this.#update(ref, (r) => ({ ...r, disabled })))
    for (const l of this.#changed) l()
    return info
  }

  /** A new secret for the same token id and fields; the old secret stops working at once. */
  async reissue(ref: string): Promise<Issued<Info>> {
    const secret = randomBytes(32).toString('base64url')
    const next = await this.#update(ref, (r) => ({ ...r, hash: hashOf(secret) }))
    for (const l of this.#changed) l()
    return { token: reveal(next.id, secret), info: infoOf(next) }
  }

  /**
   * Writes `change(record)` only if the record is still the one it was computed from (compare-and-set),
   * else computes it again: a reissue racing an enable, from two admins or the CLI and a site, must not
   * write back the hash the other read, which would revive the retired secret.
   */
  async #update(ref: string, change: (r: StoredToken<Info>) => StoredToken<Info>): Promise<StoredToken<Info>> {
    const key = this.#key((await this.find(ref)).id)
    for (let attempt = 0; attempt < 50; attempt++) {
      const r = await this.#index.get<StoredToken<Info>>(key)
      if (!r) throw new GatewayError('GW_ERR_NOT_FOUND', `no ${this.#kind.noun} ${JSON.stringify(ref.slice(0, 64))}`)
      const next = { ...change(r), updatedAt: new Date(this.#clock.now()).toISOString() }
      if (await this.#index.compareAndSet(key, r, [[key, next]])) return next
    }
    throw new GatewayError('GW_ERR_CONFLICT', `too many concurrent changes to this ${this.#kind.noun}; try again`)
  }

  /** The token's info if `presented` is a known, enabled token of this kind; compared in constant time. */
  async verify(presented: string): Promise<Info | undefined> {
    const parsed = parseToken(presented)
    const record = parsed ? await this.#index.get<StoredToken<Info>>(this.#key(parsed.id)) : undefined
    // Always one comparison, so an unknown id costs the same as a wrong secret.
    const ok = constantTimeEqual(record?.hash ?? '0'.repeat(64), hashOf(parsed?.secret ?? presented))
    if (!record || !ok || record.disabled) return undefined
    return infoOf(record)
  }

  /**
   * The token as the ring stores it (id and sha256 of the secret), for holders that must re-check a
   * token later without keeping it (admin sessions): verify it first.
   */
  static fingerprint(token: string): { id: string; hash: string } | undefined {
    const parsed = parseToken(token)
    return parsed && { id: parsed.id, hash: hashOf(parsed.secret) }
  }

  /** As verify, for a fingerprint: undefined once the token is disabled, reissued or deleted. */
  async verifyFingerprint(f: { id: string; hash: string }): Promise<Info | undefined> {
    const record = ID.test(f.id) ? await this.#index.get<StoredToken<Info>>(this.#key(f.id)) : undefined
    if (!record || !constantTimeEqual(record.hash, f.hash) || record.disabled) return undefined
    return infoOf(record)
  }
}

/** The token as shown once; logs and error bodies scrub it by its shape (ISSUED_KEY), nothing is remembered. */
function reveal(id: string, secret: string): string {
  return `fgk_${id}_${secret}`
}

function infoOf<Info>(r: StoredToken<Info>): Info {
  const { hash: _hash, ...info } = r
  return info as Info
}
