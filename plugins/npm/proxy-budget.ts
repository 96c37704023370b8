// Bounds the work of proxied packuments (the root's packuments of packages not synchronized here):
// fetches from the root at once (`npm.proxy.concurrency`) and bytes held at once, fetched or being
// sent (`npm.proxy.maxBytes`). A caller over the bound waits its turn, in order, for at most
// `npm.proxy.wait`, then is refused with 503 and Retry-After instead of piling up memory.
import { GatewayError } from '../../gateway/errors.ts'
import type { Clock } from '../../gateway/util/clock.ts'

export interface ProxyBudgetOptions {
  concurrency: number
  maxBytes: number
  /** Longest wait for a turn, in ms. */
  wait: number
}

/** What a caller holds: a fetch slot and/or bytes. Released once (later calls do nothing). */
export interface Lease {
  /** Counts more bytes held (a body arriving), without waiting: the fetch already has its turn. */
  add(bytes: number): void
  release(): void
}

interface Waiter {
  slot: boolean
  bytes: number
  grant: (lease: Lease) => void
  fail: (err: unknown) => void
}

export class ProxyBudget {
  #fetching = 0
  #bytes = 0
  #refused = 0
  readonly #queue: Waiter[] = []

  constructor(
    private readonly o: ProxyBudgetOptions,
    private readonly clock: Clock,
  ) {}

  /**
   * A turn for `bytes` (and a fetch slot when `slot`): at once if the bound allows and nobody waits
   * before, else in order. One answer larger than maxBytes still passes, alone. Rejects with
   * GW_ERR_BUSY after `wait`, or with `until`'s reason when it fires first (the client left).
   */
  acquire(want: { slot?: boolean; bytes?: number }, until?: { once(ev: 'close', fn: () => void): unknown; off(ev: 'close', fn: () => void): unknown }): Promise<Lease> {
    const w = { slot: Boolean(want.slot), bytes: want.bytes ?? 0 }
    if (this.#queue.length === 0 && this.#fits(w)) return Promise.resolve(this.#take(w))
    return new Promise<Lease>((resolve, reject) => {
      const done = () => {
        this.clock.clearTimeout(timer)
        until?.off('close', left)
      }
      const waiter: Waiter = {
        ...w,
        grant: (lease) => {
          done()
          resolve(lease)
        },
        fail: (err) => {
          done()
          reject(err)
        },
      }
      const drop = (err: unknown) => {
        const i = this.#queue.indexOf(waiter)
        if (i < 0) return
        this.#queue.splice(i, 1)
        waiter.fail(err)
        // The head may have been what held the others back.
        this.#grant()
      }
      const timer = this.clock.setTimeout(() => {
        this.#refused++
        drop(new GatewayError('GW_ERR_BUSY', `waited ${this.o.wait} ms for npm.proxy's bound (${this.o.concurrency} fetches, ${this.o.maxBytes} bytes)`, { 'retry-after': '1' }))
      }, this.o.wait)
      const left = () => drop(new GatewayError('GW_ERR_BUSY', 'the client left while waiting'))
      until?.once('close', left)
      this.#queue.push(waiter)
    })
  }

  /** For /health: work in progress and what was refused. */
  stats(): { fetching: number; bytes: number; waiting: number; refused: number } {
    return { fetching: this.#fetching, bytes: this.#bytes, waiting: this.#queue.length, refused: this.#refused }
  }

  #fits(w: { slot: boolean; bytes: number }): boolean {
    if (w.slot && this.#fetching >= this.o.concurrency) return false
    return this.#bytes === 0 || this.#bytes + w.bytes <= this.o.maxBytes
  }

  #take(w: { slot: boolean; bytes: number }): Lease {
    if (w.slot) this.#fetching++
    this.#bytes += w.bytes
    let held = w.bytes
    let open = true
    return {
      add: (n) => {
        if (!open) return
        held += n
        this.#bytes += n
      },
      release: () => {
        if (!open) return
        open = false
        if (w.slot) this.#fetching--
        this.#bytes -= held
        this.#grant()
      },
    }
  }

  /** Lets waiters in, in order, while the head fits. */
  #grant(): void {
    while (this.#queue.length && this.#fits(this.#queue[0]!)) {
      const w = this.#queue.shift()!
      w.grant(this.#take(w))
    }
  }
}
