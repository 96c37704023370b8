// When repositories sync: a round over every selected repository at the interval, one at once on
// demand, and a retry with backoff after a failure. One sync per repository at a time; a request
// that arrives while one runs makes it run once more afterwards. Time goes through the site's clock.
import type { Logger } from 'pino'
import { GatewayError } from '../../gateway/errors.ts'
import { scrubSecrets } from '../../gateway/config/secret.ts'
import type { Clock } from '../../gateway/util/clock.ts'
import type { RepoName, RepositoryStore } from '../hub/model.ts'
import { Limiter } from './blob-fetcher.ts'
import type { SyncEngine } from './engine.ts'
import { expand, isPattern } from './patterns.ts'
import type { RepoSet } from './repo-set.ts'
import type { SyncStatus } from './status.ts'
import type { Upstream } from './upstream.ts'

export interface SchedulerOptions {
  interval: number
  retry: { initial: number; max: number }
  repoConcurrency: number
}

interface Slot {
  running?: Promise<void>
  again?: { promise: Promise<void>; resolve: () => void }
  retryTimer?: unknown
}

export class SyncScheduler {
  readonly #slots = new Map<RepoName, Slot>()
  readonly #limiter: Limiter
  #roundTimer: unknown
  #stopped = false

  constructor(
    // Only what it calls, so another protocol's sync (plugins/npm) can drive its own engine with it.
    private readonly d: { engine: Pick<SyncEngine, 'sync'>; status: SyncStatus; set: Pick<RepoSet, 'entries'>; upstream: Pick<Upstream, 'repos'>; repos: Pick<RepositoryStore, 'list' | 'get'>; clock: Clock; log: Logger },
    private readonly o: SchedulerOptions,
  ) {
    this.#limiter = new Limiter(o.repoConcurrency)
  }

  /** Shows what the store already serves, then starts the first round at once. */
  async start(): Promise<void> {
    for (const name of await this.d.repos.list()) {
      const s = await this.d.repos.get(name)
      if (s) Object.assign(this.d.status.get(name), { revision: s.revision, upstreamRevision: s.upstreamRevision })
    }
    // The first round starts now, not on a timer: a fake clock in tests must not hold it back.
    this.syncAll().catch((err) => this.d.log.error({ reason: reason(err) }, 'sync round failed'))
    this.#scheduleRound(this.o.interval)
  }

  close(): void {
    this.#stopped = true
    if (this.#roundTimer !== undefined) this.d.clock.clearTimeout(this.#roundTimer)
    for (const slot of this.#slots.values()) if (slot.retryTimer !== undefined) this.d.clock.clearTimeout(slot.retryTimer)
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

  /** Syncs every selected repository now; resolves when each has finished (see status for outcomes). */
  async syncAll(): Promise<RepoName[]> {
    const names = await this.selected()
    await Promise.all(names.map((n) => this.request(n)))
    return names
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
    })
    return s.running
  }

  async #attempt(name: RepoName, slot: Slot): Promise<void> {
    if (this.#stopped) return
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
        void this.request(name)
      }, wait)
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
