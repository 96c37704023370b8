// When repositories sync: a round over every selected repository at the interval, one at once on
// demand, and a retry with backoff after a failure, while the repository is still selected. One sync
// per repository at a time; a request that arrives while one runs makes it run once more afterwards.
// Time goes through the site's clock.
import type { Logger } from 'pino'
import { GatewayError } from '../../gateway/errors.ts'
import { scrubSecrets } from '../../gateway/config/secret.ts'
import type { Clock } from '../../gateway/util/clock.ts'
import type { RepoName, RepoState, RepositoryStore } from '../hub/model.ts'
import { Limiter } from '../../gateway/util/limiter.ts'
import type { SyncEngine } from './engine.ts'
import { expand, isPattern, selected as covered } from './patterns.ts'
import type { RepoSet } from './repo-set.ts'
import type { SyncStatus } from './status.ts'
import type { Upstream } from './upstream.ts'

export interface SchedulerOptions {
  interval: number
  retry: { initial: number; max: number }
  repoConcurrency: number
}

/** The store as the scheduler sees it; `drop` where the protocol's repositories can be dropped (not npm's). */
type Repos = Pick<RepositoryStore, 'list' | 'get'> & Partial<Pick<RepositoryStore, 'drop'>>

interface Slot {
  running?: Promise<void>
  again?: { promise: Promise<void>; resolve: () => void }
  retryTimer?: unknown
}

export class SyncScheduler {
  readonly #slots = new Map<RepoName, Slot>()
  readonly #limiter: Limiter
  #roundTimer: unknown
  /** Until start(): a process that does not lead the site's sync (leader.ts) never runs one. */
  #stopped = true

  constructor(
    // Only what it calls, so another protocol's sync (plugins/npm) can drive its own engine with it.
    private readonly d: { engine: Pick<SyncEngine, 'sync'> & Partial<Pick<SyncEngine, 'settleQuiet'>>; status: SyncStatus; set: Pick<RepoSet, 'entries'>; upstream: Pick<Upstream, 'repos'>; repos: Repos; clock: Clock; log: Logger },
    private readonly o: SchedulerOptions,
  ) {
    this.#limiter = new Limiter(o.repoConcurrency)
  }

  /**
   * Shows what the store already serves and is still selected, drops what no entry covers any more
   * (removed from the YAML), then starts the first round at once.
   */
  async start(): Promise<void> {
    // Started again when this process leads the site's sync once more (plugins/sync/leader.ts).
    this.#stopped = false
    const entries = this.d.set.entries()
    for (const name of await this.d.repos.list()) {
      const s = await this.d.repos.get(name)
      if (!s) continue
      // Covered by a pattern counts as selected: whether the upstream still lists it is its sync's business.
      if (covered(entries, name)) this.d.status.served(name, s.revision, s.upstreamRevision)
      else await this.#drop(name, s)
    }
    // The first round starts now, not on a timer: a fake clock in tests must not hold it back.
    this.syncAll().catch((err) => this.d.log.error({ reason: reason(err) }, 'sync round failed'))
    this.#scheduleRound(this.o.interval)
  }

  /**
   * Stops rounds and retries, and resolves once the syncs running now have ended, so none commits or
   * collects against a store that is closing (the caller aborts their downloads first).
   */
  async close(): Promise<void> {
    this.#stopped = true
    if (this.#roundTimer !== undefined) this.d.clock.clearTimeout(this.#roundTimer)
    for (const slot of this.#slots.values()) if (slot.retryTimer !== undefined) this.d.clock.clearTimeout(slot.retryTimer)
    await Promise.allSettled([...this.#slots.values()].map((slot) => slot.running))
  }

  /** Every repository the entries select: exact names, pattern matches at the upstream, and local ones. */
  async selected(): Promise<RepoName[]> {
    const entries = this.d.set.entries()
    let available: RepoName[] = await this.d.repos.list()
    if (entries.some(isPattern)) {
      try {
        available = [...available, ...(await this.d.upstream.repos())]
      } catch (err) {
        this.d.log.warn({ reason: reason(err) }, 'cannot list the upstream repositories; patterns match local repositories only')
      }
    }
    return expand(entries, available)
  }

  /**
   * Syncs every selected repository now; resolves when each has finished (see status for outcomes). An
   * engine that can (settleQuiet) first settles, with one read of the change feed, those in sync that
   * did not change: a round over 10,000 quiet repositories asks the upstream once, not 10,000 times.
   */
  async syncAll(): Promise<RepoName[]> {
    const names = await this.selected()
    let quiet = new Set<RepoName>()
    if (this.d.engine.settleQuiet && !this.#stopped) {
      try {
        quiet = await this.d.engine.settleQuiet(names.filter((n) => this.#idle(n)))
      } catch (err) {
        // Each repository's own sync asks again, and reports its failure in its status.
        this.d.log.debug({ reason: reason(err) }, 'cannot read the change feed for the round; each repository asks its own')
      }
    }
    await Promise.all(names.filter((n) => !quiet.has(n)).map((n) => this.request(n)))
    return names
  }

  /**
   * In sync, or served and not synced yet by this process (after a restart: the engine knows from what
   * it kept whether it may settle it), with no sync running or waiting for its retry: what a round may
   * settle without syncing it.
   */
  #idle(name: RepoName): boolean {
    const slot = this.#slots.get(name)
    const state = this.d.status.has(name) ? this.d.status.get(name).state : undefined
    return (state === 'in-sync' || state === 'queued') && !slot?.running && slot?.retryTimer === undefined
  }

  /** Syncs `name` now (skipping any backoff wait); resolves when a sync begun at or after this call ends. */
  request(name: RepoName): Promise<void> {
    if (this.#stopped) return Promise.resolve()
    this.d.status.get(name)
    let slot = this.#slots.get(name)
    if (!slot) this.#slots.set(name, (slot = {}))
    if (slot.retryTimer !== undefined) {
      this.d.clock.clearTimeout(slot.retryTimer)
      slot.retryTimer = undefined
    }
    if (slot.running) {
      if (!slot.again) {
        let resolve!: () => void
        const promise = new Promise<void>((r) => (resolve = r))
        slot.again = { promise, resolve }
      }
      return slot.again.promise
    }
    const s = slot
    s.running = this.#limiter.run(() => this.#attempt(name, s)).finally(() => {
      s.running = undefined
      const again = s.again
      s.again = undefined
      if (again) void this.request(name).then(again.resolve)
      else if (!this.d.status.has(name) && s.retryTimer === undefined && this.#slots.get(name) === s) this.#slots.delete(name)
    })
    return s.running
  }

  async #attempt(name: RepoName, slot: Slot): Promise<void> {
    if (this.#stopped) return
    if (!(await this.#stillSelected(name, false))) return this.#forget(name)
    try {
      await this.d.engine.sync(name)
    } catch (err) {
      if (this.#stopped) return
      const failures = this.d.status.get(name).failures
      const wait = Math.min(this.o.retry.max, this.o.retry.initial * 2 ** Math.min(failures, 30))
      const why = reason(err)
      this.d.status.failing(name, why, this.d.clock.now() + wait)
      this.d.log.warn({ repo: name, reason: why, retryInMs: wait }, 'repository sync failed')
      slot.retryTimer = this.d.clock.setTimeout(() => {
        slot.retryTimer = undefined
        void this.#retry(name)
      }, wait)
    }
  }

  async #retry(name: RepoName): Promise<void> {
    if (this.#stopped) return
    if (await this.#stillSelected(name, true)) return this.request(name)
    this.#forget(name)
    this.d.log.info({ repo: name }, 'repository no longer selected; retries stop')
  }

  /**
   * False only when `name` is certainly not selected any more. An exact entry always is: the operator
   * asked for it by name, so it keeps failing with the reason. A pattern match is while this site holds
   * it or, with `askUpstream`, while the upstream lists it; when the upstream cannot say, it still is.
   */
  async #stillSelected(name: RepoName, askUpstream: boolean): Promise<boolean> {
    const entries = this.d.set.entries()
    if (entries.includes(name)) return true
    if (!covered(entries, name)) return false
    if (!askUpstream) return true
    try {
      return Boolean(await this.d.repos.get(name)) || (await this.d.upstream.repos()).includes(name)
    } catch {
      return true
    }
  }

  /** Stops tracking `name`: no retry, no status entry (the slot goes once no sync of it runs). */
  #forget(name: RepoName): void {
    const slot = this.#slots.get(name)
    if (slot?.retryTimer !== undefined) {
      this.d.clock.clearTimeout(slot.retryTimer)
      slot.retryTimer = undefined
    }
    if (slot && !slot.running) this.#slots.delete(name)
    this.d.status.forget(name)
  }

  /** A snapshot no entry covers: no longer served, so requests for it are forwarded (docs/protocol.md). */
  async #drop(name: RepoName, s: RepoState): Promise<void> {
    // Only snapshots a sync built (they record the upstream revision): a publish or an npm package is not ours.
    if (!this.d.repos.drop || s.upstreamRevision === undefined) return
    try {
      if (await this.d.repos.drop(name, s.revision)) this.d.log.info({ repo: name, revision: s.revision }, 'repository no longer synchronized: dropped, requests for it are forwarded')
    } catch (err) {
      this.d.log.warn({ repo: name, reason: reason(err) }, 'cannot drop a repository that is no longer synchronized; it is still served')
    }
  }

  #scheduleRound(ms: number): void {
    if (this.#stopped) return
    this.#roundTimer = this.d.clock.setTimeout(() => {
      this.#roundTimer = undefined
      this.syncAll().catch((err) => this.d.log.error({ reason: reason(err) }, 'sync round failed'))
      this.#scheduleRound(this.o.interval)
    }, ms)
  }
}

/** A failure as one line for status and logs: the catalogue message with its detail, never a secret. */
export function reason(err: unknown): string {
  if (err instanceof GatewayError) {
    const cause = (err.cause as { code?: string } | undefined)?.code
    return scrubSecrets(`${err.code}: ${err.message}${cause ? ` (${cause})` : ''}`)
  }
  const e = err as { code?: string; message?: string }
  return scrubSecrets(e?.code ? `${e.code}: ${e.message ?? ''}` : e?.message ?? String(err))
}
