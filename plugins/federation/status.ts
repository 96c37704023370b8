// Each link's state as this site sees it (docs/federation.md, "Status"): counted in memory, saved to
// the index after every exchange so `fedgate links status` reads it with the site running or stopped.
import type { Clock } from '../../gateway/util/clock.ts'
import type { Change } from '../hub/model.ts'
import type { FederationState } from './state.ts'

export interface LinkStatus {
  name: string
  /** incoming: the peer connects here; outgoing: this site connects out. */
  direction: 'incoming' | 'outgoing'
  mode?: string
  peer?: string
  url?: string
  lastExchange?: string
  /** Changes the last exchange saw waiting: down (the peer's, not yet here), up (ours, not yet there). */
  pending: { down: number; up: number }
  /** Counted from this site's view: in = arrived here, out = sent from here. */
  changes: { in: number; out: number }
  blobs: { in: number; out: number }
  bytes: { in: number; out: number }
  /**
   * Changes in pages and uploads that arrived here but should never have been sent: made here (`own`),
   * or arrived at the peer from here (`returned`). Both stay 0 between sites that keep the rules
   * (docs/federation.md, "Origin"); a whole-state snapshot is not counted.
   */
  echoes: { own: number; returned: number }
  /**
   * Changes received for repositories this site owns (`site.owns`) that another site made: never
   * applied, since only the owner publishes there (docs/federation.md, "Ownership"). 0 between sites
   * whose publishes kept to what they own.
   */
  notOwner: number
  failing?: { reason: string; since: string; nextTry?: string }
}

export class LinkTraffic {
  readonly #links = new Map<string, LinkStatus>()

  constructor(
    private readonly clock: Clock,
    private readonly state: FederationState,
  ) {}

  get(name: string, direction: LinkStatus['direction'] = 'incoming'): LinkStatus {
    let s = this.#links.get(name)
    if (!s) {
      s = { name, direction, pending: { down: 0, up: 0 }, changes: { in: 0, out: 0 }, blobs: { in: 0, out: 0 }, bytes: { in: 0, out: 0 }, echoes: { own: 0, returned: 0 }, notOwner: 0 }
      this.#links.set(name, s)
    }
    return s
  }

  list(): LinkStatus[] {
    return [...this.#links.values()].sort((a, b) => a.name.localeCompare(b.name))
  }

  contact(name: string, peer: string): void {
    const s = this.get(name)
    s.peer = peer
    s.lastExchange = this.#now()
    delete s.failing
    void this.save(name)
  }

  sent(name: string, changes: number): void {
    this.get(name).changes.out += changes
  }

  received(name: string, changes: number): void {
    const s = this.get(name)
    s.changes.in += changes
    s.lastExchange = this.#now()
    void this.save(name)
  }

  /** Counts the changes that came back to `site`, this site (LinkStatus.echoes). */
  echoes(name: string, site: string, changes: readonly Change[]): void {
    const e = this.get(name).echoes
    for (const c of changes) {
      if (c.origin === site) e.own++
      else if (c.via === site) e.returned++
    }
  }

  /** Counts, and returns, the changes to a repository this site (`site`) owns that another site made. */
  notOwner(name: string, site: string, changes: readonly Change[]): number {
    const n = changes.filter((c) => c.origin !== site).length
    this.get(name).notOwner += n
    return n
  }

  bytesIn(name: string, n: number): void {
    this.get(name).bytes.in += n
  }

  failed(name: string, reason: string, nextTry?: number): void {
    const s = this.get(name)
    s.failing = { reason, since: s.failing?.since ?? this.#now(), ...(nextTry !== undefined ? { nextTry: new Date(nextTry).toISOString() } : {}) }
    void this.save(name)
  }

  /** Written to the index; a failure to write is not the exchange's failure. */
  save(name: string): Promise<void> {
    const s = this.#links.get(name)
    return s ? this.state.saveStatus(`${s.direction}/${name}`, s).catch(() => {}) : Promise.resolve()
  }

  #now(): string {
    return new Date(this.clock.now()).toISOString()
  }
}
