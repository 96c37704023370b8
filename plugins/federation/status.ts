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
  /**
   * Counted from this site's view: in = applied here (newer than what was held; so each once, however
   * often a failed exchange read it), out = sent from here.
   */
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
  /**
   * Incoming: the revision of this site's log up to which the pages served on the link were counted in
   * `changes.out`. A downloader re-reads pages after a failed exchange; they are not counted again.
   */
  outCountedTo?: number
  /** Incoming: how often the peer said, in its last hello, that it exchanges (its `interval`, ms). */
  peerInterval?: number
  failing?: { reason: string; since: string; nextTry?: string }
}

/**
 * Intervals of the peer's without a word from it (no request with the link's token) after which an
 * incoming link is `stale`: one missed exchange, or a slow one, is no alarm; three are.
 */
export const STALE_AFTER_INTERVALS = 3

/** What an operator reads first: failing (why, in `failing`), stale (the peer not heard from), ok, or waiting (never exchanged). */
export type LinkState = 'failing' | 'stale' | 'ok' | 'waiting'

/** A link's status as shown (links status, /health, the admin page): with its state, worked out when asked. */
export interface LinkView extends LinkStatus {
  state: LinkState
  /** Stale: the peer was last heard from at `since`, and said it exchanges every `interval` ms. */
  stale?: { since: string; interval: number }
}

/**
 * The link's state at `now`. `heardAt`: when the peer was last heard from in this process (a request in
 * flight is now); the last exchange saved stands for it otherwise (after a restart, or read by the CLI).
 * Only an incoming link whose peer declared its interval can be stale: this site runs the outgoing
 * side's exchanges itself, and shows their failures.
 */
export function viewOf(s: LinkStatus, now: number, heardAt?: number): LinkView {
  if (s.failing) return { ...s, state: 'failing' }
  const exchanged = s.lastExchange === undefined ? undefined : Date.parse(s.lastExchange)
  const heard = Math.max(exchanged ?? -Infinity, heardAt ?? -Infinity)
  if (!Number.isFinite(heard)) return { ...s, state: 'waiting' }
  if (s.direction === 'incoming' && s.peerInterval !== undefined && now - heard > STALE_AFTER_INTERVALS * s.peerInterval) {
    return { ...s, state: 'stale', stale: { since: new Date(heard).toISOString(), interval: s.peerInterval } }
  }
  return { ...s, state: 'ok' }
}

type Direction = LinkStatus['direction']

/** An incoming and an outgoing link may share a name (each side names its links): kept apart by direction. */
const keyOf = (name: string, direction: Direction) => `${direction}/${name}`

export class LinkTraffic {
  readonly #links = new Map<string, LinkStatus>()

  constructor(
    private readonly clock: Clock,
    private readonly state: FederationState,
  ) {}

  /**
   * The saved statuses of the links `keep` names (this site's links now: a removed one stays only in the
   * index), so a restart goes on counting; else the first save after it overwrote them with zeros.
   */
  async restore(keep: (name: string, direction: Direction) => boolean): Promise<void> {
    for (const saved of await this.state.statuses()) {
      const s = saved as Partial<LinkStatus>
      if (typeof s.name !== 'string' || (s.direction !== 'incoming' && s.direction !== 'outgoing') || !keep(s.name, s.direction)) continue
      // Over a fresh record: a field added since it was saved starts at its zero.
      Object.assign(this.get(s.name, s.direction), s)
    }
  }

  get(name: string, direction: Direction = 'incoming'): LinkStatus {
    let s = this.#links.get(keyOf(name, direction))
    if (!s) {
      s = { name, direction, pending: { down: 0, up: 0 }, changes: { in: 0, out: 0 }, blobs: { in: 0, out: 0 }, bytes: { in: 0, out: 0 }, echoes: { own: 0, returned: 0 }, notOwner: 0 }
      this.#links.set(keyOf(name, direction), s)
    }
    return s
  }

  list(): LinkStatus[] {
    return [...this.#links.values()].sort((a, b) => a.name.localeCompare(b.name) || a.direction.localeCompare(b.direction))
  }

  /** A hello on an incoming link, from `peer`, which exchanges every `interval` ms (an older peer does not say). */
  contact(name: string, peer: string, interval?: number): void {
    const s = this.get(name)
    s.peer = peer
    if (interval === undefined) delete s.peerInterval
    else s.peerInterval = interval
    s.lastExchange = this.#now()
    delete s.failing
    void this.save(name)
  }

  /** A page of this site's log, read up to `upTo`, was served: its changes not served before count as sent. */
  sent(name: string, changes: readonly Change[], upTo: number): void {
    const s = this.get(name)
    const counted = s.outCountedTo ?? 0
    s.changes.out += changes.filter((c) => c.rev > counted).length
    s.outCountedTo = Math.max(counted, upTo)
  }

  /** An upload was applied here: `applied` of its changes were newer than what was held. */
  received(name: string, applied: number): void {
    const s = this.get(name)
    s.changes.in += applied
    s.lastExchange = this.#now()
    void this.save(name)
  }

  /** Counts the changes that came back to `site`, this site (LinkStatus.echoes). */
  echoes(name: string, site: string, changes: readonly Change[], direction: Direction = 'incoming'): void {
    const e = this.get(name, direction).echoes
    for (const c of changes) {
      if (c.origin === site) e.own++
      else if (c.via === site) e.returned++
    }
  }

  /**
   * Counts, and returns, the changes to a repository this site (`site`) owns that another site made. Not
   * withdrawals: by them another site takes back what it published here before it knew the owner.
   */
  notOwner(name: string, site: string, changes: readonly Change[], direction: Direction = 'incoming'): number {
    const n = changes.filter((c) => c.origin !== site && !c.aside).length
    this.get(name, direction).notOwner += n
    return n
  }

  bytesIn(name: string, n: number): void {
    this.get(name).bytes.in += n
  }

  failed(name: string, reason: string, nextTry?: number, direction: Direction = 'incoming'): void {
    const s = this.get(name, direction)
    s.failing = { reason, since: s.failing?.since ?? this.#now(), ...(nextTry !== undefined ? { nextTry: new Date(nextTry).toISOString() } : {}) }
    void this.save(name, direction)
  }

  /** Written to the index; a failure to write is not the exchange's failure. */
  save(name: string, direction: Direction = 'incoming'): Promise<void> {
    const s = this.#links.get(keyOf(name, direction))
    return s ? this.state.saveStatus(keyOf(name, direction), s).catch(() => {}) : Promise.resolve()
  }

  #now(): string {
    return new Date(this.clock.now()).toISOString()
  }
}
