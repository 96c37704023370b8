// Synchronizes one repository: asks the upstream only for what changed since the revision the child
// holds (the whole repository when the feed no longer reaches back), brings every blob the next
// snapshot needs, and commits it in one atomic step only when all are present and verified, so
// readers never see half a sync. Then collects blobs no snapshot references.
// The feed is asked only with a revision counted by the store that answers it: a middle site forwards
// what it does not hold to its root, whose numbers mean nothing to the middle's feed.
import type { Logger } from 'pino'
import { GatewayError } from '../../gateway/errors.ts'
import type { BlobStore, ImageRecord, RepoName, RepositoryStore } from '../hub/model.ts'
import { collectUnreferenced } from '../hub/store/collect.ts'
import type { BlobFetcher } from './blob-fetcher.ts'
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
  collect: boolean
  /** Collection also removes partial downloads untouched this long that no running sync needs. */
  partialMaxAge: number
  /**
   * Unreferenced blobs younger than this are left alone (0: none). With an index shared by several
   * nodes, another node's sync may have stored a blob it has not committed yet, and its pins are not
   * visible here.
   */
  collectGrace: number
}

/** Which upstream store counted a snapshot's upstreamRevision, and the local commit it belongs to. */
interface Counted {
  store: string
  revision: number
  upstreamRevision: number
  /**
   * How far that store's feed is known to hold no change for the repository (≥ upstreamRevision): the
   * next sync asks from here. A quiet repository moves it without a commit, so the root does not rescan
   * its log from the last commit on every round, and no trim made by other repositories' changes turns
   * the feed into a 410 and a whole fetch.
   */
  position: number
}

/**
 * Pages of the whole feed a round reads to find its quiet repositories, at least; and at most one per
 * QUIET_REPOS_PER_PAGE of them, so the read never costs the upstream more requests than a fraction of
 * asking for each. Past that, each asks its own.
 */
const QUIET_PAGES = 10
const QUIET_REPOS_PER_PAGE = 4

export class SyncEngine {
  /**
   * Kept in memory only (the snapshot has no field for it yet): after a restart each repository's first
   * sync takes it whole, which is correct, just not incremental.
   */
  readonly #countedBy = new Map<RepoName, Counted>()

  constructor(private readonly d: EngineDeps) {}

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
        this.#count(name, store, cur.revision, cur.upstreamRevision, page.revision)
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
        this.#count(name, nextStore, cur.revision, next.upstreamRevision)
        status.inSync(name, cur.revision, cur.upstreamRevision)
        return
      }
      const state = await repos.commit(name, next)
      this.#count(name, nextStore, state.revision, next.upstreamRevision)
      status.inSync(name, state.revision, next.upstreamRevision)
      this.d.log.info({ repo: name, revision: state.revision, upstreamRevision: next.upstreamRevision, tags: Object.keys(next.tags).length }, 'repository synchronized')
    } finally {
      release()
    }
    if (this.d.collect) await this.collect()
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
    for (const { name, counted } of same) {
      // A sync that counted meanwhile replaced the record, and any commit meanwhile makes it unknown.
      if ((last.get(name) ?? 0) > counted.position || this.#countedBy.get(name) !== counted || (await this.d.repos.get(name))?.revision !== counted.revision) continue
      this.#count(name, store, counted.revision, counted.upstreamRevision, Math.max(counted.position, page.revision))
      this.d.status.inSync(name, counted.revision, counted.upstreamRevision)
      settled.add(name)
    }
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
   * Removes blobs that no snapshot references and no sync in progress needs, and partial downloads that
   * no sync came back for within partialMaxAge; returns how many blobs.
   */
  collect(): Promise<number> {
    return collectUnreferenced(this.d, { grace: this.d.collectGrace, partialMaxAge: this.d.partialMaxAge })
  }

  #count(name: RepoName, store: string | undefined, revision: number, upstreamRevision: number, position = upstreamRevision): void {
    if (store === undefined) this.#countedBy.delete(name)
    else this.#countedBy.set(name, { store, revision, upstreamRevision, position })
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
