// Synchronizes one repository: asks the upstream only for what changed since the revision the child
// holds (the whole repository when the feed no longer reaches back), brings every blob the next
// snapshot needs, and commits it in one atomic step only when all are present and verified, so
// readers never see half a sync. Then collects blobs no snapshot references, once past the grace.
// The feed is asked only with a revision counted by the store that answers it: a middle site forwards
// what it does not hold to its root, whose numbers mean nothing to the middle's feed. Where each
// repository stands in that feed is kept in the index too (feed-positions.ts), so it outlives a restart.
import type { Logger } from 'pino'
import { GatewayError } from '../../gateway/errors.ts'
import type { Clock } from '../../gateway/util/clock.ts'
import type { BlobStore, ImageRecord, RepoName, RepositoryStore } from '../hub/model.ts'
import { collectUnreferenced } from '../hub/store/collect.ts'
import type { BlobFetcher } from './blob-fetcher.ts'
import type { Counted, FeedPositions } from './feed-positions.ts'
import { applyChanges, fromWhole, sameTags, type NextSnapshot } from './plan.ts'
import type { SyncStatus } from './status.ts'
import type { Upstream } from './upstream.ts'

export interface EngineDeps {
  repos: RepositoryStore
  blobs: BlobStore
  upstream: Upstream
  fetcher: BlobFetcher
  status: SyncStatus
  log: Logger
  /** Times the collections that come back for the blobs a collection spared. */
  clock: Clock
  collect: boolean
  /** Collection also removes partial downloads untouched this long that no running sync needs. */
  partialMaxAge: number
  /**
   * Unreferenced blobs younger than this are left alone (0: none): another process's publish (a worker,
   * `fedgate publish`) pins its blob in its own process only, and with an index shared by several nodes,
   * another node's sync may have stored a blob it has not committed yet.
   */
  collectGrace: number
  /** Where the records below are kept across restarts; without it they live in memory only. */
  positions?: FeedPositions
}

/**
 * Pages of the whole feed a round reads to find its quiet repositories, at least; and at most one per
 * QUIET_REPOS_PER_PAGE of them, so the read never costs the upstream more requests than a fraction of
 * asking for each. Past that, each asks its own.
 */
const QUIET_PAGES = 10
const QUIET_REPOS_PER_PAGE = 4
/** The shortest wait before coming back for a spared blob: its age is read from file times. */
const COME_BACK_MIN = 1000

export class SyncEngine {
  /** The working copy of the records kept in positions (written through), loaded by restore(). */
  readonly #countedBy = new Map<RepoName, Counted>()
  /** Whether collections come back for what they spare (while this process leads), and the next one's timer. */
  #collecting = false
  #collectTimer: unknown

  constructor(private readonly d: EngineDeps) {}

  /**
   * Takes the kept records, each only while it still describes the snapshot held (same revision and
   * upstream revision): another writer's commit, or a crash between a commit and its record, leaves one
   * that does not, and that repository is fetched whole. Called before the first round of each
   * leadership; when the index cannot be read, what is held in memory stays (checked at each use).
   */
  async restore(): Promise<void> {
    if (!this.d.positions) return
    let kept: Map<RepoName, Counted>
    try {
      kept = await this.d.positions.load()
    } catch (err) {
      this.d.log.warn({ reason: (err as Error).message }, 'cannot read the kept feed positions; each repository syncs on its own')
      return
    }
    this.#countedBy.clear()
    for (const [name, c] of kept) {
      const cur = await this.d.repos.get(name)
      if (cur && cur.revision === c.revision && cur.upstreamRevision === c.upstreamRevision) this.#countedBy.set(name, c)
    }
  }

  /** One sync of `name`; throws with the reason when it fails (the scheduler retries). */
  async sync(name: RepoName): Promise<void> {
    const { repos, upstream, status } = this.d
    const cur = await repos.get(name)
    const counted = this.#countedBy.get(name)
    // Valid only for the very commit it was recorded with: any other writer's commit makes it unknown.
    const store = cur && counted?.revision === cur.revision && counted.upstreamRevision === cur.upstreamRevision ? counted.store : undefined
    let next: NextSnapshot
    /** The store that counted next.upstreamRevision. */
    let nextStore: string | undefined
    // An upstream that names no store (older than the header) is taken whole every time: it may be a
    // middle site answering from two stores. That costs a metadata fetch, never a blob already here.
    if (cur?.upstreamRevision !== undefined && store !== undefined) {
      const position = counted!.position
      const page = await upstream.changes(position, name)
      if (typeof page === 'string' || page.store !== store || page.revision < position) {
        // Another store's feed (or a replaced one), or the log no longer reaches back: take it whole.
        const whole = await upstream.repo(name)
        next = fromWhole(whole, 0)
        nextStore = whole?.store
      } else if (page.changes.length === 0) {
        await this.#count(name, store, cur.revision, cur.upstreamRevision, page.revision)
        status.inSync(name, cur.revision, cur.upstreamRevision)
        return
      } else {
        next = applyChanges(cur, page.changes.filter((c) => c.repo === name), page.revision)
        nextStore = store
      }
    } else {
      const whole = await upstream.repo(name)
      if (!whole && !cur) throw new GatewayError('GW_ERR_NOT_FOUND', `${name} does not exist at the upstream`)
      next = fromWhole(whole, 0)
      nextStore = whole?.store
    }

    const images = Object.values(next.images)
    // Pinned in the store's shared pins: no collector (this one or the npm sync's) removes them before the commit.
    const release = await this.d.blobs.pins.pin(images.map((i) => i.id))
    try {
      await this.#bringBlobs(name, images)
      if (cur && sameTags(cur.tags, next.tags) && cur.upstreamRevision === next.upstreamRevision) {
        await this.#count(name, nextStore, cur.revision, next.upstreamRevision)
        status.inSync(name, cur.revision, cur.upstreamRevision)
        return
      }
      const state = await repos.commit(name, next)
      // After the commit, never with it: a crash in between leaves a record that matches no state.
      await this.#count(name, nextStore, state.revision, next.upstreamRevision)
      status.inSync(name, state.revision, next.upstreamRevision)
      this.d.log.info({ repo: name, revision: state.revision, upstreamRevision: next.upstreamRevision, tags: Object.keys(next.tags).length }, 'repository synchronized')
    } finally {
      release()
    }
    await this.collectAfterCommit()
  }

  /**
   * One read of the whole feed for a round, in place of one per repository: of `names` (none syncing
   * now), those whose last sync left them current with the feed's store and that no change since names
   * are in sync as they are, their place in the feed moved to its head. Returns them; the round syncs
   * the others. Nothing is settled when the feed cannot say within its pages (QUIET_PAGES), or answers
   * from another store (a middle site answers for what it holds; what it forwards is counted by its root).
   */
  async settleQuiet(names: readonly RepoName[]): Promise<Set<RepoName>> {
    const settled = new Set<RepoName>()
    const quiet: { name: RepoName; counted: Counted }[] = []
    for (const name of names) {
      const counted = this.#countedBy.get(name)
      const cur = counted && (await this.d.repos.get(name))
      if (cur && counted.revision === cur.revision && counted.upstreamRevision === cur.upstreamRevision) quiet.push({ name, counted })
    }
    // The store most of them were counted by: at a middle site, those it forwards are its root's.
    const byStore = new Map<string, number>()
    for (const q of quiet) byStore.set(q.counted.store, (byStore.get(q.counted.store) ?? 0) + 1)
    const store = [...byStore].sort((a, b) => b[1] - a[1])[0]?.[0]
    const same = quiet.filter((q) => q.counted.store === store)
    // One repository's own feed read costs as much.
    if (store === undefined || same.length < 2) return settled
    const from = same.reduce((min, q) => Math.min(min, q.counted.position), Infinity)
    const page = await this.d.upstream.changes(from, undefined, Math.max(QUIET_PAGES, Math.ceil(same.length / QUIET_REPOS_PER_PAGE)))
    if (typeof page === 'string' || page.store !== store || page.revision < from) return settled
    // Each repository's last change in the page: one at or below its own place is already reflected.
    const last = new Map<RepoName, number>()
    for (const c of page.changes) last.set(c.repo, Math.max(c.rev, last.get(c.repo) ?? 0))
    const moved: [RepoName, Counted][] = []
    for (const { name, counted } of same) {
      // Any commit meanwhile makes it unknown, and a sync that counted meanwhile (even during that read) replaced the record.
      if ((last.get(name) ?? 0) > counted.position || (await this.d.repos.get(name))?.revision !== counted.revision || this.#countedBy.get(name) !== counted) continue
      const position = Math.max(counted.position, page.revision)
      if (position > counted.position) {
        const c = { ...counted, position }
        this.#countedBy.set(name, c)
        moved.push([name, c])
      }
      this.d.status.inSync(name, counted.revision, counted.upstreamRevision)
      settled.add(name)
    }
    // One write for the round; a quiet feed (nothing moved) writes nothing.
    await this.#keep(moved)
    return settled
  }

  /**
   * Does the snapshot held for `name` already reflect `store`'s changes up to `revision` (what its feed
   * last answered)? An announcement that says no more than that needs no sync.
   */
  upToDate(name: RepoName, store: string, revision: number): boolean {
    const c = this.#countedBy.get(name)
    return c !== undefined && c.store === store && c.position >= revision
  }

  /**
   * Removes blobs that no snapshot references and no sync in progress needs, once older than
   * collectGrace, and partial downloads that no sync came back for within partialMaxAge; returns how many
   * blobs. While collecting (startCollecting), the next collection is set for when the first blob it
   * spared comes of age (a tag deleted upstream a moment ago), and at the latest a grace from now (a
   * blob another process's publish orphaned, with no commit here to collect after).
   */
  async collect(): Promise<number> {
    const { removed, comeOfAge } = await collectUnreferenced(this.d, { grace: this.d.collectGrace, partialMaxAge: this.d.partialMaxAge })
    this.#collectIn(comeOfAge)
    return removed
  }

  /**
   * The collection that follows a commit that may have orphaned blobs, this engine's or npm's package
   * sync's (sync.collect: none when off), so that one rule, the grace included, decides what goes.
   */
  async collectAfterCommit(): Promise<void> {
    if (this.d.collect) await this.collect()
  }

  /** This process leads: collections (with sync.collect) come back for what they spare, the first a grace from now. */
  startCollecting(): void {
    if (!this.d.collect || this.d.collectGrace <= 0) return
    this.#collecting = true
    this.#collectIn(undefined)
  }

  /** This process no longer leads: no collection is set any more. */
  stopCollecting(): void {
    this.#collecting = false
    this.d.clock.clearTimeout(this.#collectTimer)
    this.#collectTimer = undefined
  }

  /** Sets the next collection `ms` from now (at most a grace; undefined: a grace), replacing the one set. */
  #collectIn(ms: number | undefined): void {
    if (!this.#collecting) return
    this.d.clock.clearTimeout(this.#collectTimer)
    const wait = Math.min(this.d.collectGrace, Math.max(COME_BACK_MIN, ms ?? Infinity))
    this.#collectTimer = this.d.clock.setTimeout(() => {
      this.#collectTimer = undefined
      this.collect().catch((err: unknown) => {
        this.d.log.warn({ reason: (err as Error)?.message ?? String(err) }, 'collecting unreferenced blobs failed')
        this.#collectIn(undefined)
      })
    }, wait)
  }

  /** Records what counted `name`'s snapshot, in memory at once and in the index before it resolves. */
  #count(name: RepoName, store: string | undefined, revision: number, upstreamRevision: number, position = upstreamRevision): Promise<void> {
    const held = this.#countedBy.get(name)
    if (store === undefined) {
      if (!this.#countedBy.delete(name)) return Promise.resolve()
      return this.#keep([[name, undefined]])
    }
    if (held && held.store === store && held.revision === revision && held.upstreamRevision === upstreamRevision && held.position === position) return Promise.resolve()
    const c = { store, revision, upstreamRevision, position }
    this.#countedBy.set(name, c)
    return this.#keep([[name, c]])
  }

  /**
   * Writes records to the index. A failure is not the sync's: what it committed is committed, and a
   * record left behind claims less (an older position, or an older commit that no longer matches).
   */
  async #keep(records: readonly (readonly [RepoName, Counted | undefined])[]): Promise<void> {
    if (!this.d.positions || records.length === 0) return
    try {
      await this.d.positions.save(records)
    } catch (err) {
      this.d.log.warn({ reason: (err as Error).message, repos: records.length }, 'cannot keep feed positions in the index; after a restart these repositories sync on their own')
    }
  }

  async #bringBlobs(name: RepoName, images: ImageRecord[]): Promise<void> {
    const { blobs, fetcher, status } = this.d
    const missing: ImageRecord[] = []
    let total = 0
    let done = 0
    for (const image of images) {
      if (await blobs.has(image.id)) continue
      missing.push(image)
      total += image.size
      done += Math.min(await blobs.partialSize(image.id), image.size)
    }
    if (missing.length === 0) return
    status.syncing(name, total, done)
    const results = await Promise.allSettled(missing.map((image) => fetcher.fetch(image, (n) => status.progress(name, n))))
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')
    if (failed) throw failed.reason
  }
}
