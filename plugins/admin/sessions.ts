// Sign-in sessions of the admin page, kept in the site's index: every process of the site (workers on
// one machine share the embedded index, nodes share Redis) knows a sign-in made on any of them, and a
// sign-out on one ends it on all. The cookie holds a random id; the index holds only its sha256, the
// admin key's id and hash (as the key ring keeps them, never the key) and an absolute expiry. The CSRF
// token is derived from the id, so it needs no storing. The key is checked again on every request, so
// disabling or recreating it ends its sessions at once.
import { createHash, createHmac, randomBytes } from 'node:crypto'
import { constantTimeEqual } from '../../gateway/config/secret.ts'
import type { Clock } from '../../gateway/util/clock.ts'
import type { IndexStore } from '../hub/store/index.ts'

export interface Session {
  /** The cookie's value: never stored. */
  readonly id: string
  readonly csrf: string
  readonly expires: number
  /** The admin key that signed in, as the key ring stores it (id and hash of the secret). */
  readonly key: { id: string; hash: string }
}

interface SessionRecord {
  key: { id: string; hash: string }
  opened: number
  expires: number
}

const PREFIX = 'admin-session/'
const ID = /^[A-Za-z0-9_-]{43}$/
const recordKey = (id: string) => PREFIX + createHash('sha256').update(id).digest('hex')
const csrfOf = (id: string) => createHmac('sha256', id).update('fedgate admin csrf').digest('base64url')

export class Sessions {
  constructor(
    private readonly index: Pick<IndexStore, 'get' | 'set' | 'delete' | 'scan'>,
    private readonly o: { ttl: number; max: number },
    private readonly clock: Clock,
  ) {}

  async open(key: { id: string; hash: string }): Promise<Session> {
    await this.#makeRoom()
    const id = randomBytes(32).toString('base64url')
    const now = this.clock.now()
    const record: SessionRecord = { key, opened: now, expires: now + this.o.ttl }
    await this.index.set(recordKey(id), record)
    return { id, csrf: csrfOf(id), expires: record.expires, key }
  }

  /** The live session a cookie value names, or undefined (unknown, signed out or expired). */
  async get(id: string | undefined): Promise<Session | undefined> {
    if (!id || !ID.test(id)) return undefined
    const r = await this.index.get<SessionRecord>(recordKey(id))
    if (!r) return undefined
    if (this.clock.now() >= r.expires) {
      await this.index.delete([recordKey(id)])
      return undefined
    }
    return { id, csrf: csrfOf(id), expires: r.expires, key: r.key }
  }

  async close(id: string): Promise<void> {
    if (ID.test(id)) await this.index.delete([recordKey(id)])
  }

  /** Seconds the cookie may live: the session's time left. */
  maxAge(s: Session): number {
    return Math.max(0, Math.floor((s.expires - this.clock.now()) / 1000))
  }

  static csrfMatches(s: Session, presented: string | undefined): boolean {
    return presented !== undefined && constantTimeEqual(s.csrf, presented)
  }

  /**
   * Bounded: expired sessions go, then the oldest sign-ins until one more fits. Processes opening at the
   * same instant may each keep one more: the bound holds to within the number of processes.
   */
  async #makeRoom(): Promise<void> {
    const now = this.clock.now()
    const live: [string, number][] = []
    const gone: string[] = []
    for await (const [k, r] of this.index.scan<SessionRecord>(PREFIX)) {
      if (now >= r.expires) gone.push(k)
      else live.push([k, r.opened])
    }
    live.sort((a, b) => a[1] - b[1])
    while (live.length >= this.o.max) gone.push(live.shift()![0])
    await this.index.delete(gone)
  }
}
