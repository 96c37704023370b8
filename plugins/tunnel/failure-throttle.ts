// Slows down addresses that keep failing the token check: after `limit` failures in a window they are
// refused with 429 until it ends. Memory is bounded: past `maxAddresses`, the oldest entry is forgotten.
import type { Clock } from '../../gateway/util/clock.ts'

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

  get size(): number {
    return this.#entries.size
  }
}
