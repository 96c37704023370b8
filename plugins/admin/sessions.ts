// Sign-in sessions of the admin page, in this process's memory: a random id in an HttpOnly cookie, a
// CSRF token the page sends back in a header, an absolute expiry. The admin key stays here (never in the
// page) and is checked again on every request, so disabling or recreating it ends its sessions at once.
import { randomBytes } from 'node:crypto'
import { constantTimeEqual } from '../../gateway/config/secret.ts'
import type { Clock } from '../../gateway/util/clock.ts'

export interface Session {
  readonly id: string
  readonly csrf: string
  readonly expires: number
  /** The admin key that signed in: re-verified on every request, never sent anywhere. */
  readonly key: string
}

export class Sessions {
  readonly #byId = new Map<string, Session>()

  constructor(
    private readonly o: { ttl: number; max: number },
    private readonly clock: Clock,
  ) {}

  open(key: string): Session {
    this.#sweep()
    // Bounded: past the limit the oldest sign-in goes (Map keeps insertion order).
    while (this.#byId.size >= this.o.max) this.#byId.delete(this.#byId.keys().next().value!)
    const s: Session = { id: randomBytes(32).toString('base64url'), csrf: randomBytes(32).toString('base64url'), expires: this.clock.now() + this.o.ttl, key }
    this.#byId.set(s.id, s)
    return s
  }

  /** The live session a cookie value names, or undefined (unknown or expired). */
  get(id: string | undefined): Session | undefined {
    if (!id) return undefined
    const s = this.#byId.get(id)
    if (!s) return undefined
    if (this.clock.now() >= s.expires) {
      this.#byId.delete(id)
      return undefined
    }
    return s
  }

  close(id: string): void {
    this.#byId.delete(id)
  }

  /** Seconds the cookie may live: the session's time left. */
  maxAge(s: Session): number {
    return Math.max(0, Math.floor((s.expires - this.clock.now()) / 1000))
  }

  static csrfMatches(s: Session, presented: string | undefined): boolean {
    return presented !== undefined && constantTimeEqual(s.csrf, presented)
  }

  #sweep(): void {
    const now = this.clock.now()
    for (const [id, s] of this.#byId) if (now >= s.expires) this.#byId.delete(id)
  }
}
