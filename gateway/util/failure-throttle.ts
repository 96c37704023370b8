// Slows down addresses that keep failing a credential check (a tunnel's token, the admin page's sign-in):
// after `limit` failures in a window they are refused with 429 until it ends. Per process. Memory is
// bounded: past `maxAddresses`, the oldest entry is forgotten.
import type { Clock } from './clock.ts'

interface Entry {
  failures: number
  windowEnds: number
}

export class FailureThrottle {
  readonly #entries = new Map<string, Entry>()

  constructor(
    private readonly opts: { limit: number; window: number; maxAddresses: number },
    private readonly clock: Clock,
  ) {}

  /** Seconds the address must wait, or 0 when it may try. */
  retryAfter(address: string): number {
    const e = this.#entries.get(address)
    if (!e) return 0
    const now = this.clock.now()
    if (now >= e.windowEnds) {
      this.#entries.delete(address)
      return 0
    }
    return e.failures >= this.opts.limit ? Math.max(1, Math.ceil((e.windowEnds - now) / 1000)) : 0
  }

  failed(address: string): void {
    const now = this.clock.now()
    let e = this.#entries.get(address)
    if (!e || now >= e.windowEnds) {
      if (e) this.#entries.delete(address)
      if (this.#entries.size >= this.opts.maxAddresses) this.#entries.delete(this.#entries.keys().next().value!)
      e = { failures: 0, windowEnds: now + this.opts.window }
      this.#entries.set(address, e)
    }
    e.failures++
  }

  /** Takes back one failure counted ahead of a check that then passed (see the admin sign-in). */
  forgive(address: string): void {
    const e = this.#entries.get(address)
    if (e && e.failures > 0) e.failures--
  }

  /** Addresses refused now (at most `max`), with the seconds left: for /health and the admin page. */
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
