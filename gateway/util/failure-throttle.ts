// Slows down addresses that keep failing a credential check (a tunnel's token, the admin page's sign-in):
// after `limit` failures in a window they are refused with 429 until it ends. Per process. Memory is
// bounded: past `maxAddresses`, the oldest entry is forgotten. An address is counted as the client it
// stands for (clientOf): an IPv6 peer by its /64, an IPv4 peer by its address however it is written.
import { clientOf } from './address-block.ts'
import type { Clock } from './clock.ts'

interface Entry {
  failures: number
  windowEnds: number
}

/** One credential check let through by the throttle (see `attempt`). */
export interface Attempt {
  /** Seconds the address must wait (nothing was counted), or 0 when the check may go on. */
  readonly retryAfter: number
  /** The credential was good: takes back the failure counted as the check began (once). */
  passed(): void
}

const noop = () => {}

export class FailureThrottle {
  readonly #entries = new Map<string, Entry>()

  constructor(
    private readonly opts: { limit: number; window: number; maxAddresses: number },
    private readonly clock: Clock,
  ) {}

  /** Seconds the address must wait, or 0 when it may try. A look only: nothing is counted. */
  retryAfter(address: string): number {
    return this.#retryAfter(clientOf(address))
  }

  #retryAfter(client: string): number {
    const e = this.#entries.get(client)
    if (!e) return 0
    const now = this.clock.now()
    if (now >= e.windowEnds) {
      this.#entries.delete(client)
      return 0
    }
    return e.failures >= this.opts.limit ? Math.max(1, Math.ceil((e.windowEnds - now) / 1000)) : 0
  }

  /**
   * Starts judging a credential from `address`: refused while the address waits, else counted as failed
   * in the same step as the check, to be taken back by `passed()`. Counted only once judged (after an
   * await: a form read, a HELLO awaited), checks started side by side all passed the limit together.
   */
  attempt(address: string): Attempt {
    const client = clientOf(address)
    const retryAfter = this.#retryAfter(client)
    if (retryAfter > 0) return { retryAfter, passed: noop }
    const e = this.#count(client)
    let open = true
    return {
      retryAfter: 0,
      passed: () => {
        // Only from the window it was counted in: a new window starts with nothing to take back.
        if (open && this.#entries.get(client) === e && e.failures > 0) e.failures--
        open = false
      },
    }
  }

  /** A failure that was not a judged credential (a malformed or missing HELLO). */
  failed(address: string): void {
    this.#count(clientOf(address))
  }

  /** Counts a failure of `client` (clientOf). */
  #count(client: string): Entry {
    const now = this.clock.now()
    let e = this.#entries.get(client)
    if (!e || now >= e.windowEnds) {
      if (e) this.#entries.delete(client)
      if (this.#entries.size >= this.opts.maxAddresses) this.#entries.delete(this.#entries.keys().next().value!)
      e = { failures: 0, windowEnds: now + this.opts.window }
      this.#entries.set(client, e)
    }
    e.failures++
    return e
  }

  /** Clients refused now (at most `max`: an address, or an IPv6 /64), with the seconds left: for /health and the admin page. */
  throttled(max = 50): { address: string; retryAfter: number }[] {
    const out: { address: string; retryAfter: number }[] = []
    const now = this.clock.now()
    for (const [address, e] of this.#entries) {
      if (out.length >= max) break
      if (e.failures >= this.opts.limit && now < e.windowEnds) out.push({ address, retryAfter: Math.max(1, Math.ceil((e.windowEnds - now) / 1000)) })
    }
    return out
  }

  get size(): number {
    return this.#entries.size
  }
}
