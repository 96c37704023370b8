// CLASP callers are accepted before they authenticate (their token is in HELLO). Until HELLO arrives they
// hold a place here, never among maxConnections, so sockets that never authenticate cannot crowd out
// tunnels; the per-address bound keeps one client from taking the whole budget either (an IPv6 client
// counted by its /64, which it may pick any address of: clientOf).
import { clientOf } from '../../gateway/util/address-block.ts'

export type HelloBudgetRefusal = 'full' | 'address'

export class HelloBudget {
  readonly #perAddress = new Map<string, number>()
  #total = 0

  constructor(private readonly opts: { max: number; perAddress: number }) {}

  /** A place for one caller (release it once, any number of calls), or why there is none. */
  take(peer: string): { release: () => void } | HelloBudgetRefusal {
    const address = clientOf(peer)
    const mine = this.#perAddress.get(address) ?? 0
    if (mine >= this.opts.perAddress) return 'address'
    if (this.#total >= this.opts.max) return 'full'
    this.#total++
    this.#perAddress.set(address, mine + 1)
    let held = true
    return {
      release: () => {
        if (!held) return
        held = false
        this.#total--
        const left = this.#perAddress.get(address)! - 1
        // Entries go with their last socket, so memory is bounded by `max`.
        if (left === 0) this.#perAddress.delete(address)
        else this.#perAddress.set(address, left)
      },
    }
  }

  /** Callers waiting for their HELLO now. */
  get size(): number {
    return this.#total
  }
}
