// Repository states, the site-wide revision and the append-only change log, kept in the index.
// What a reader must never see half-applied travels in one atomic compare-and-set on the revision
// counter: the new repository state, its change-log entries and the new counter (an lmdb transaction /
// a Redis Lua script), so a SIGKILL at any point leaves the last committed state. The names served and
// the blob ids referenced are also held in memory, so a route's match() stays synchronous.
import { LRUCache } from 'lru-cache'
import { GatewayError } from '../../../gateway/errors.ts'
import type { Clock } from '../../../gateway/util/clock.ts'
import type { AsideTag, BlobStore, Change, ChangePage, ImageRecord, RepoName, RepoState, RepositoryStore, RepoUpdate } from '../model.ts'
import type { IndexStore } from './index.ts'
import { STORE_ID_KEY, storeIdOf } from './store-id.ts'
import { checkRepoName, checkTag } from '../names.ts'
import { Limiter } from '../../../gateway/util/limiter.ts'
import { conflicting, heldVersion, newer, publishTime, refOf, versionOfChange, WITHDRAWN_AT, type Conflict, type TagVersion } from './versions.ts'
import { releasedKey, releasedWithin } from './released-blobs.ts'

/** A repository's new committed revision, as the change stream announces it. */
export interface CommittedChange {
  repo: RepoName
  revision: number
  /** The site a link received this commit's changes from (absent: published here, or by another writer). */
  via?: string
}

const REV = 'rev'
/** The oldest revision the log still reaches back to: `changes(since)` needs since ≥ floor. */
const FLOOR = 'floor'
/** Every log entry at or below this revision is deleted (absent in stores older than this key: the floor). */
const TRIMMED = 'trimmed'
const repoKey = (name: RepoName) => `repo/${name}`
const logKey = (rev: number) => `log/${String(rev).padStart(12, '0')}`

/**
 * A log entry that is no change: its commit moved only what this site keeps for itself (an ownership
 * conflict dismissed). It is there for other processes' refresh, which learns from the log which
 * states to read again; no change page, hence no peer or child, ever sees it.
 */
interface LogNote {
  rev: number
  repo: RepoName
  note: 'aside-dismissed'
}
type LogEntry = Change | LogNote
const isNote = (e: LogEntry): e is LogNote => 'note' in e

export interface RepositoryStoreOptions {
  /** Change-log entries kept; a child further behind gets 410 and fetches whole repositories. */
  changeLogKeep: number
  /** Bytes of repository states kept in memory. */
  hotBytes: number
  /** How often commits by other processes (the CLI, other nodes on one Redis) are picked up; 0: never. */
  refreshInterval: number
  clock: Clock
  /** This site's name: the origin of the changes committed here (default `local`). */
  site?: string
}

/** What applying changes that arrived over a link did. */
export interface Applied {
  /** Changes newer than what was held, now committed (each a log entry). */
  applied: number
  /** Where two origins disagreed on a tag: the winner held, the loser reported. */
  conflicts: Conflict[]
  /**
   * Withdrawals applied over a value held here (its origin learnt that another site owns the
   * repository): a value this site had replaced by it may be due again, from any peer.
   */
  withdrawn: number
}

export class IndexedRepositoryStore implements RepositoryStore {
  readonly #index: IndexStore
  readonly #blobs: BlobStore
  readonly #o: RepositoryStoreOptions
  /** name → image ids its snapshot references (only repositories with at least one tag). */
  readonly #served = new Map<RepoName, readonly string[]>()
  /** Repositories whose every tag was deleted: not served, but their tombstones go in a whole-state exchange. */
  readonly #emptied = new Set<RepoName>()
  /** name → the values set aside there (RepoState.aside): listed, and their images never collected. */
  readonly #aside = new Map<RepoName, readonly AsideTag[]>()
  /** blob id → the repositories referencing it (a link token reads only blobs of its repositories). */
  readonly #refs = new Map<string, Set<RepoName>>()
  /** blob id → its size, for the blobs referenced; and their sum (for /metrics). */
  readonly #sizes = new Map<string, number>()
  #bytes = 0
  readonly #hot: LRUCache<RepoName, RepoState>
  /**
   * name → revision of the newest state applied: a refresh or a read that began before a newer commit
   * (this process's, or one it already picked up) must not put the older state back.
   */
  readonly #applied = new Map<RepoName, number>()
  /** The revision the in-memory sets reflect. */
  #known = 0
  #storeId = ''
  #commits: Promise<unknown> = Promise.resolve()
  #timer: unknown
  #closed = false
  #refreshing?: Promise<void>
  /** Told of every state applied after open (this process's commits and other writers' picked up). */
  readonly #listeners = new Set<(state: CommittedChange) => void>()
  #opened = false

  constructor(index: IndexStore, blobs: BlobStore, o: RepositoryStoreOptions) {
    this.#index = index
    this.#blobs = blobs
    this.#o = o
    this.#hot = new LRUCache<RepoName, RepoState>({ maxSize: Math.max(1, o.hotBytes), sizeCalculation: (s) => 64 + JSON.stringify(s).length })
  }

  /** Loads the served names and referenced blobs in one scan, then follows other writers' commits. */
  async open(): Promise<this> {
    this.#storeId = await storeIdOf(this.#index)
    await this.#reload()
    this.#opened = true
    this.#schedule()
    return this
  }

  /**
   * Hears each repository change once it is committed and served here: this process's commits at once,
   * other writers' (the CLI, other nodes) when a refresh picks them up. For the change stream.
   */
  onCommit(listener: (change: CommittedChange) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  close(): void {
    this.#closed = true
    this.#o.clock.clearTimeout(this.#timer)
  }

  /** Synchronous: does this site serve the repository? */
  holds(name: RepoName): boolean {
    return this.#served.has(name)
  }

  /** Synchronous: does a served snapshot reference this blob? */
  references(id: string): boolean {
    return this.#refs.has(id)
  }

  /** Synchronous: does a served snapshot of a repository that `accepts` reference this blob? */
  referencedBy(id: string, accepts: (repo: RepoName) => boolean): boolean {
    for (const repo of this.#refs.get(id) ?? []) if (accepts(repo)) return true
    return false
  }

  /** Names the numbering of this store's revisions (store-id.ts); a replaced index gets a new one. */
  get storeId(): string {
    return this.#storeId
  }

  /** The site revision this process has applied (its own commits and those a refresh picked up). */
  get knownRevision(): number {
    return this.#known
  }

  get size(): number {
    return this.#served.size
  }

  /** The blobs the served snapshots reference, and their bytes. */
  servedBlobs(): { blobs: number; bytes: number } {
    return { blobs: this.#refs.size, bytes: this.#bytes }
  }

  async list(): Promise<RepoName[]> {
    return [...this.#served.keys()].sort()
  }

  /**
   * The states of the repositories `accepts` takes, for a whole-state exchange (a log trimmed past a
   * peer's place in it): the served ones and those whose every tag was deleted, whose tombstones are
   * the deletes the log would have carried.
   */
  async wholeState(accepts: (name: RepoName) => boolean): Promise<RepoState[]> {
    const out: RepoState[] = []
    for (const name of [...this.#served.keys(), ...this.#emptied].sort()) {
      if (!accepts(name)) continue
      const state = (await this.get(name)) ?? (await this.#index.get<RepoState>(repoKey(name)))
      if (state) out.push(state)
    }
    return out
  }

  async get(name: RepoName): Promise<RepoState | undefined> {
    if (!this.#served.has(name)) return undefined
    const hot = this.#hot.get(name)
    if (hot) return hot
    const state = await this.#index.get<RepoState>(repoKey(name))
    if (!state || Object.keys(state.tags).length === 0) return undefined
    if (state.revision >= (this.#applied.get(name) ?? 0)) this.#hot.set(name, state)
    return state
  }

  /** The site's current revision, read from the index (other processes may have committed). */
  async revision(): Promise<number> {
    return (await this.#index.get<number>(REV)) ?? 0
  }

  commit(name: RepoName, next: RepoUpdate | ((committed: RepoState | undefined) => RepoUpdate)): Promise<RepoState> {
    // One commit at a time in this process; other processes are kept out by the compare-and-set.
    const run = this.#commits.then(() => this.#commit(name, next))
    this.#commits = run.catch(() => {})
    return run
  }

  async #commit(name: RepoName, update: RepoUpdate | ((committed: RepoState | undefined) => RepoUpdate)): Promise<RepoState> {
    checkRepoName(name)
    for (let attempt = 0; attempt < 50; attempt++) {
      const rev = await this.#index.get<number>(REV)
      const floor = (await this.#index.get<number>(FLOOR)) ?? 0
      const prev = await this.#index.get<RepoState>(repoKey(name))
      // Made from what is committed now: a retry after another writer's commit builds on that commit.
      const next = typeof update === 'function' ? update(prev) : update
      const images = await this.#imagesOf(next)
      const now = this.#o.clock.now()
      // Each change records what it overwrites (prev) and is published after it: store/versions.ts.
      const stamp = (tag: string) => {
        const held = heldVersion(prev, tag, this.site)
        return { at: publishTime(now, held), prev: refOf(held) }
      }
      const changes = diff(name, prev?.tags ?? {}, next.tags, images, (rev ?? 0) + 1, stamp, this.site)
      if (changes.length === 0 && prev && prev.upstreamRevision === next.upstreamRevision) {
        // Nothing to write, but what was read is the committed state: held here from now on (another
        // node's commit that moved only its upstream revision leaves no log entry a refresh would see).
        this.#apply(name, prev)
        return prev
      }
      const revision = (rev ?? 0) + Math.max(1, changes.length)
      const state: RepoState = { name, revision, tags: { ...next.tags }, images }
      if (next.upstreamRevision !== undefined) state.upstreamRevision = next.upstreamRevision
      if (prev?.aside) state.aside = prev.aside
      const versions = { ...prev?.versions }
      for (const c of changes) versions[c.tag] = versionOfChange(c, this.site)
      if (Object.keys(versions).length) state.versions = versions
      const newFloor = Math.max(floor, revision - this.#o.changeLogKeep)
      const entries: [string, unknown][] = changes.map((c) => [logKey(c.rev), c])
      // An upstreamRevision-only commit still takes a revision, so the counter moves and the CAS guards it.
      entries.push([repoKey(name), state], [FLOOR, newFloor], [REV, revision])
      if (!(await this.#index.compareAndSet(REV, rev, entries))) continue
      this.#apply(name, state)
      if (this.#known === (rev ?? 0)) this.#known = revision
      // The commit is durable now: a failed trim must not report it failed. Whatever is left below the
      // floor (a failure, or a crash before this line) is deleted by the next trim, which starts at TRIMMED.
      if (newFloor > floor) await this.#trim(floor, newFloor).catch(() => {})
      return state
    }
    throw new GatewayError('GW_ERR_CONFLICT', 'too many concurrent commits; try again')
  }

  get site(): string {
    return this.#o.site ?? 'local'
  }

  /**
   * Applies changes that arrived over a link from `via`, in order, each only if its version is newer
   * than the one held (store/versions.ts), in one atomic commit; the applied ones become log entries that
   * keep their origin and record `via`. Changes this site made, and deletes when `deletes` is false, are
   * skipped. Every image a tag change names must be in the blob store. Nothing newer: nothing written.
   */
  applyRemote(name: RepoName, changes: readonly Change[], o: { via: string; deletes: boolean }): Promise<Applied> {
    const run = this.#commits.then(() => this.#applyRemote(name, changes, o))
    this.#commits = run.catch(() => {})
    return run
  }

  /**
   * Throws as applyRemote would (a tag's blob not in the blob store: 409), without committing: a batch
   * over several repositories is checked whole before any of it is applied. `held` narrows what counts
   * as in the store (a link's upload may point only at blobs the link can know of).
   */
  async checkRemote(name: RepoName, changes: readonly Change[], o: { via: string; deletes: boolean; held?: (id: string) => Promise<boolean> }): Promise<void> {
    checkRepoName(name)
    const rev = (await this.#index.get<number>(REV)) ?? 0
    const plan = this.#planRemote(name, await this.#index.get<RepoState>(repoKey(name)), changes, o, rev)
    if (plan.entries.length) await this.#imagesOf({ tags: plan.tags, images: plan.known }, o.held)
  }

  /** What applying `changes` over `prev` writes (store/versions.ts): log entries numbered after `rev`. */
  #planRemote(name: RepoName, prev: RepoState | undefined, changes: readonly Change[], o: { via: string; deletes: boolean }, rev: number) {
    const tags = { ...prev?.tags }
    const known: Record<string, ImageRecord> = { ...prev?.images }
    const versions: Record<string, TagVersion> = { ...prev?.versions }
    const entries: [string, unknown][] = []
    const conflicts: Conflict[] = []
    let withdrawn = 0
    let r = rev
    for (const c of changes) {
      if (c.repo !== name || c.origin === this.site) continue
      // A withdrawal goes where deletes do not: it is not a delete of content, but a value its origin
      // was never entitled to, which the owner never applied (docs/federation.md, "Ownership learnt late").
      const withdrawal = c.op === 'untag' && c.aside === true
      if (c.op === 'untag' && !o.deletes && !withdrawal) continue
      checkTag(c.tag)
      const v = versionOfChange(c, o.via)
      const held = versions[c.tag] ?? heldVersion(prev, c.tag, this.site)
      // It removes only its own origin's value, whatever its time says.
      if (withdrawal && held && held.origin !== v.origin) continue
      const wins = newer(v, held)
      if (held && conflicting(v, held, wins)) conflicts.push(wins ? { repo: name, tag: c.tag, winner: v, loser: held } : { repo: name, tag: c.tag, winner: held, loser: v })
      if (!wins) continue
      if (withdrawal && tags[c.tag] !== undefined) withdrawn++
      if (c.op === 'tag') {
        if (!c.image) throw new GatewayError('GW_ERR_BAD_REQUEST', `change ${c.rev}: a tag change names its image`)
        tags[c.tag] = c.image.id
        known[c.image.id] ??= { id: c.image.id, size: c.image.size, createdAt: c.image.createdAt }
      } else delete tags[c.tag]
      versions[c.tag] = v
      const entry: Change = { ...c, rev: ++r, origin: v.origin, originRev: v.originRev, via: o.via }
      entries.push([logKey(r), entry])
    }
    return { tags, known, versions, entries, conflicts, withdrawn, r }
  }

  async #applyRemote(name: RepoName, changes: readonly Change[], o: { via: string; deletes: boolean }): Promise<Applied> {
    checkRepoName(name)
    for (let attempt = 0; attempt < 50; attempt++) {
      const counter = await this.#index.get<number>(REV)
      const rev = counter ?? 0
      const floor = (await this.#index.get<number>(FLOOR)) ?? 0
      const prev = await this.#index.get<RepoState>(repoKey(name))
      const { tags, known, versions, entries, conflicts, withdrawn, r } = this.#planRemote(name, prev, changes, o, rev)
      if (entries.length === 0) return { applied: 0, conflicts, withdrawn }
      const images = await this.#imagesOf({ tags, images: known })
      const state: RepoState = { name, revision: r, tags, images, versions }
      if (prev?.upstreamRevision !== undefined) state.upstreamRevision = prev.upstreamRevision
      if (prev?.aside) state.aside = prev.aside
      const newFloor = Math.max(floor, r - this.#o.changeLogKeep)
      entries.push([repoKey(name), state], [FLOOR, newFloor], [REV, r])
      if (!(await this.#index.compareAndSet(REV, counter, entries))) continue
      this.#apply(name, state, false, o.via)
      if (this.#known === rev) this.#known = r
      if (newFloor > floor) await this.#trim(floor, newFloor).catch(() => {})
      return { applied: entries.length - 3, conflicts, withdrawn }
    }
    throw new GatewayError('GW_ERR_CONFLICT', 'too many concurrent commits; try again')
  }

  /**
   * Stops serving a repository that arrived over links and no link selects any more, if its committed
   * state is still at `revision`. The deletes it logs carry the versions they remove, so at any peer
   * they are no newer than what is held there and change nothing; the versions are forgotten here, so
   * a link that selects the repository again brings it back. False when another commit came first.
   */
  async forget(name: RepoName, revision: number): Promise<boolean> {
    const run = this.#commits.then(async () => {
      const counter = await this.#index.get<number>(REV)
      const prev = await this.#index.get<RepoState>(repoKey(name))
      if (!prev || prev.revision !== revision || Object.keys(prev.tags).length === 0) return false
      let r = counter ?? 0
      const entries: [string, unknown][] = []
      for (const tag of Object.keys(prev.tags).sort()) {
        const v = heldVersion(prev, tag, this.site)!
        const c: Change = { rev: ++r, repo: name, op: 'untag', tag, at: v.at, origin: v.origin, originRev: v.originRev, via: this.site }
        entries.push([logKey(r), c])
      }
      const state: RepoState = { name, revision: r, tags: {}, images: {} }
      // What was set aside is the operator's, whatever the links select.
      if (prev.aside) state.aside = prev.aside
      entries.push([repoKey(name), state], [REV, r])
      if (!(await this.#index.compareAndSet(REV, counter, entries))) return false
      this.#apply(name, state)
      if (this.#known === (counter ?? 0)) this.#known = r
      return true
    })
    this.#commits = run.catch(() => {})
    return run
  }

  /** RepositoryStore.drop: one commit removing every tag, so a middle site's children drop it too. */
  async drop(name: RepoName, revision: number): Promise<boolean> {
    const moved = new Error('moved')
    try {
      await this.commit(name, (committed) => {
        // Compared on every attempt: a sync or publish committed since then wins over the drop.
        if (!committed || committed.revision !== revision || Object.keys(committed.tags).length === 0) throw moved
        return { tags: {}, images: {} }
      })
      return true
    } catch (err) {
      if (err === moved) return false
      throw err
    }
  }

  /**
   * Sets aside the values this site published in `name`, a repository it learnt that `owner` owns
   * (docs/federation.md, "Ownership learnt late"), in one commit: each tag whose version is this site's
   * (value or tombstone) gets a withdrawal (an untag dated WITHDRAWN_AT, logged, so it travels to the
   * peers that took the value), and each value goes to the state's `aside`, its image kept stored. The
   * owner's value then replaces the withdrawal wherever it arrives. Returns how many tags were withdrawn
   * and the values set aside.
   */
  setAside(name: RepoName, owner: string): Promise<{ withdrawn: number; aside: AsideTag[] }> {
    const run = this.#commits.then(() => this.#setAside(name, owner))
    this.#commits = run.catch(() => {})
    return run
  }

  async #setAside(name: RepoName, owner: string): Promise<{ withdrawn: number; aside: AsideTag[] }> {
    for (let attempt = 0; attempt < 50; attempt++) {
      const counter = await this.#index.get<number>(REV)
      const floor = (await this.#index.get<number>(FLOOR)) ?? 0
      const prev = await this.#index.get<RepoState>(repoKey(name))
      if (!prev) return { withdrawn: 0, aside: [] }
      const tags = { ...prev.tags }
      const versions: Record<string, TagVersion> = { ...prev.versions }
      const added: AsideTag[] = []
      const entries: [string, unknown][] = []
      const setAsideAt = new Date(this.#o.clock.now()).toISOString()
      let r = counter ?? 0
      for (const tag of [...new Set([...Object.keys(versions), ...Object.keys(tags)])].sort()) {
        const held = heldVersion(prev, tag, this.site)
        if (!held || held.origin !== this.site || held.aside) continue
        const c: Change = { rev: ++r, repo: name, op: 'untag', tag, at: WITHDRAWN_AT, origin: this.site, originRev: r, prev: refOf(held), aside: true }
        entries.push([logKey(r), c])
        versions[tag] = versionOfChange(c, this.site)
        const id = tags[tag]
        const image = id === undefined ? undefined : prev.images[id]
        if (image) added.push({ repo: name, tag, image, publishedAt: held.at, setAsideAt, owner })
        delete tags[tag]
      }
      if (entries.length === 0) return { withdrawn: 0, aside: [] }
      const withdrawn = entries.length
      const images: Record<string, ImageRecord> = {}
      for (const id of Object.values(tags)) if (prev.images[id]) images[id] = prev.images[id]
      const state: RepoState = { name, revision: r, tags, images, versions, aside: [...(prev.aside ?? []), ...added] }
      if (prev.upstreamRevision !== undefined) state.upstreamRevision = prev.upstreamRevision
      const newFloor = Math.max(floor, r - this.#o.changeLogKeep)
      entries.push([repoKey(name), state], [FLOOR, newFloor], [REV, r])
      if (!(await this.#index.compareAndSet(REV, counter, entries))) continue
      this.#apply(name, state)
      if (this.#known === (counter ?? 0)) this.#known = r
      if (newFloor > floor) await this.#trim(floor, newFloor).catch(() => {})
      return { withdrawn, aside: added }
    }
    throw new GatewayError('GW_ERR_CONFLICT', 'too many concurrent commits; try again')
  }

  /** Every value set aside at this site (RepoState.aside), by repository and tag. */
  asideTags(): AsideTag[] {
    return [...this.#aside.values()].flat().sort((a, b) => a.repo.localeCompare(b.repo) || a.tag.localeCompare(b.tag) || a.setAsideAt.localeCompare(b.setAsideAt))
  }

  /** Synchronous: is this blob the image of a value set aside here (kept, readable by an admin)? */
  holdsAside(id: string): boolean {
    for (const list of this.#aside.values()) if (list.some((a) => a.image.id === id)) return true
    return false
  }

  /**
   * An operator dismisses the ownership conflict of `name`'s `tag`: its values leave the state's `aside`,
   * and their images become ordinary orphans whose grace counts from now (released-blobs.ts), in one
   * commit. It takes a revision and logs a note, not a change (LogNote): tags and versions are as they
   * were. 404 GW_ERR_NO_OWNERSHIP_CONFLICT, nothing written, when nothing of that tag is set aside.
   */
  dismissAside(name: RepoName, tag: string): Promise<AsideTag[]> {
    checkRepoName(name)
    checkTag(tag)
    const run = this.#commits.then(() => this.#dismissAside(name, tag))
    this.#commits = run.catch(() => {})
    return run
  }

  async #dismissAside(name: RepoName, tag: string): Promise<AsideTag[]> {
    for (let attempt = 0; attempt < 50; attempt++) {
      const counter = await this.#index.get<number>(REV)
      const floor = (await this.#index.get<number>(FLOOR)) ?? 0
      const prev = await this.#index.get<RepoState>(repoKey(name))
      const dismissed = prev?.aside?.filter((a) => a.tag === tag) ?? []
      if (!prev || dismissed.length === 0) throw new GatewayError('GW_ERR_NO_OWNERSHIP_CONFLICT', `${name}:${tag}`)
      const r = (counter ?? 0) + 1
      const { aside, ...rest } = prev
      const left = aside!.filter((a) => a.tag !== tag)
      const state: RepoState = { ...rest, revision: r, ...(left.length ? { aside: left } : {}) }
      const now = this.#o.clock.now()
      const note: LogNote = { rev: r, repo: name, note: 'aside-dismissed' }
      const newFloor = Math.max(floor, r - this.#o.changeLogKeep)
      const entries: [string, unknown][] = [[logKey(r), note], ...dismissed.map((a): [string, unknown] => [releasedKey(a.image.id), now])]
      entries.push([repoKey(name), state], [FLOOR, newFloor], [REV, r])
      if (!(await this.#index.compareAndSet(REV, counter, entries))) continue
      // Quiet: nothing a subscriber or a link could fetch changed.
      this.#apply(name, state, false, undefined, true)
      if (this.#known === (counter ?? 0)) this.#known = r
      if (newFloor > floor) await this.#trim(floor, newFloor).catch(() => {})
      return dismissed
    }
    throw new GatewayError('GW_ERR_CONFLICT', 'too many concurrent commits; try again')
  }

  /** RepositoryStore.released: the images of dismissed conflicts, by how long ago (this store's clock). */
  released(grace: number): Promise<ReadonlyMap<string, number>> {
    return releasedWithin(this.#index, this.#o.clock.now(), grace)
  }

  /** The images the tags point to, each checked to be listed and in the blob store. */
  async #imagesOf(next: RepoUpdate, inStore: (id: string) => Promise<boolean> = (id) => this.#blobs.has(id)): Promise<Record<string, ImageRecord>> {
    const images: Record<string, ImageRecord> = {}
    for (const [tag, id] of Object.entries(next.tags)) {
      checkTag(tag)
      const image = next.images[id]
      if (!image || image.id !== id) throw new GatewayError('GW_ERR_BAD_REQUEST', `tag ${tag} points to an image that is not listed`)
      images[id] = { id, size: image.size, createdAt: image.createdAt }
    }
    // Every image, every commit, but a few looks at a time: one after another, a repository of a few
    // hundred tags spent most of a replicated commit waiting on the disk.
    const looks = new Limiter(16)
    const held = await Promise.all(Object.keys(images).map((id) => looks.run(async () => [id, await inStore(id)] as const)))
    const lacking = held.find(([, has]) => !has)
    if (lacking) throw new GatewayError('GW_ERR_CONFLICT', `blob sha256:${lacking[0]} is not in the blob store`)
    return images
  }

  async changes(since: number, repo?: RepoName, limit = 1000): Promise<ChangePage | 'too-old'> {
    const page = await this.#changes(since, repo, limit)
    // A replaced index's numbers must not go out under this store's id before the refresh notices.
    if (page !== 'too-old' && (await this.#index.get<string>(STORE_ID_KEY)) !== this.#storeId) return 'too-old'
    return page
  }

  /**
   * Blob ids the change log still names, from its floor on: a reader of the log (a link's page, a
   * middle site) may fetch any of them. Undefined when the log was trimmed during the read.
   */
  async loggedImages(): Promise<Set<string> | undefined> {
    const out = new Set<string>()
    let since = (await this.#index.get<number>(FLOOR)) ?? 0
    for (;;) {
      const page = await this.#changes(since, undefined, 1000)
      if (page === 'too-old') return undefined
      for (const c of page.changes) if (c.op === 'tag' && c.image) out.add(c.image.id)
      if (!page.more || page.changes.length === 0) return out
      since = page.changes[page.changes.length - 1]!.rev
    }
  }

  /** changes() without its store-id check: the refresh makes that check itself, first, and reads the notes too. */
  async #changes(since: number, repo: RepoName | undefined, limit: number): Promise<ChangePage | 'too-old'>
  async #changes(since: number, repo: RepoName | undefined, limit: number, notes: true): Promise<{ revision: number; changes: LogEntry[] } | 'too-old'>
  async #changes(since: number, repo: RepoName | undefined, limit: number, notes = false): Promise<{ revision: number; changes: LogEntry[]; more?: boolean } | 'too-old'> {
    const revision = await this.revision()
    const floor = (await this.#index.get<number>(FLOOR)) ?? 0
    // A `since` ahead of this site means the site's index was replaced: the caller must start over.
    if (since < floor || since > revision) return 'too-old'
    // One repository's entries all lie at or below its state's revision (every commit writes both; a state
    // is never removed), and the state is read after the head: a quiet one is answered without a scan,
    // and a scan stops at its last entry. A child's round asks this of every repository it holds.
    const last = repo === undefined ? revision : Math.min(revision, (await this.#index.get<RepoState>(repoKey(repo)))?.revision ?? since)
    const changes: LogEntry[] = []
    let from = since + 1
    while (from <= last && changes.length < limit) {
      const to = Math.min(last, from + 999)
      const keys: string[] = []
      for (let r = from; r <= to; r++) keys.push(logKey(r))
      const page = await this.#index.getMany<LogEntry>(keys)
      for (const c of page) {
        if (!c || (repo !== undefined && c.repo !== repo) || (!notes && isNote(c))) continue
        changes.push(c)
        if (changes.length === limit) break
      }
      from = to + 1
    }
    // Another process's commit may have trimmed entries between the floor check and the reads: a page
    // that silently lacks them would leave the caller in sync with changes it never saw.
    if (since < ((await this.#index.get<number>(FLOOR)) ?? 0)) return 'too-old'
    const more = changes.length === limit && changes[changes.length - 1]!.rev < last
    return more ? { revision, changes, more } : { revision, changes }
  }

  async unreferenced(): Promise<string[]> {
    await this.refresh()
    const out: string[] = []
    const aside = new Set(this.asideTags().map((a) => a.image.id))
    for await (const id of this.#blobs.list()) if (!this.#refs.has(id) && !aside.has(id)) out.push(id)
    return out
  }

  /** Picks up commits made by other processes since the last look. */
  refresh(): Promise<void> {
    return (this.#refreshing ??= this.#refresh().finally(() => (this.#refreshing = undefined)))
  }

  async #refresh(): Promise<void> {
    // A replaced index (a Redis without persistence, restarted) has lost the store id, or has another
    // node's new one: its states are the truth now, whatever their revisions, under that id.
    if ((await this.#index.get<string>(STORE_ID_KEY)) !== this.#storeId) {
      this.#storeId = await storeIdOf(this.#index)
      this.#applied.clear()
      return this.#reload()
    }
    const rev = await this.revision()
    if (rev === this.#known) return
    if (rev < this.#known) this.#applied.clear()
    const page = await this.#changes(this.#known, undefined, Number.MAX_SAFE_INTEGER, true)
    if (page === 'too-old') return this.#reload()
    const touched = new Set(page.changes.map((c) => c.repo))
    // Touched by notes only: nothing to announce (dismissAside).
    const changed = new Set(page.changes.filter((c) => !isNote(c)).map((c) => c.repo))
    const states = await this.#index.getMany<RepoState>([...touched].map(repoKey))
    let i = 0
    for (const name of touched) this.#apply(name, states[i++], false, undefined, !changed.has(name))
    this.#known = page.revision
  }

  /**
   * Every repository state, applied in place: what is served stays served while the scan runs (a root
   * answering 404 meanwhile would make its children empty their copies), and a scan that fails halfway
   * leaves a mix of older and newer states, never fewer repositories.
   */
  async #reload(): Promise<void> {
    // Read the counter first: anything committed during the scan is picked up by the next refresh.
    const rev = await this.revision()
    const scanned = new Set<RepoName>()
    for await (const [key, state] of this.#index.scan<RepoState>('repo/')) {
      scanned.add(key.slice(5))
      this.#apply(key.slice(5), state)
    }
    // Held but no longer in the index (a wiped index), and not committed since the scan began.
    for (const name of [...this.#served.keys()]) if (!scanned.has(name) && (this.#applied.get(name) ?? 0) <= rev) this.#apply(name, undefined, true)
    this.#known = rev
  }

  /** Makes `state` the one held for `name`, unless a newer one is held already (or `force`); `quiet`: listeners are not told. */
  #apply(name: RepoName, state: RepoState | undefined, force = false, via?: string, quiet = false): void {
    const held = this.#applied.get(name) ?? 0
    if (!force && (state?.revision ?? 0) < held) return
    if (state) this.#applied.set(name, state.revision)
    else this.#applied.delete(name)
    if (state?.aside?.length) this.#aside.set(name, state.aside)
    else this.#aside.delete(name)
    if (!quiet && this.#opened && state && state.revision > held) for (const l of this.#listeners) l({ repo: name, revision: state.revision, ...(via === undefined ? {} : { via }) })
    for (const id of this.#served.get(name) ?? []) {
      const repos = this.#refs.get(id)
      repos?.delete(name)
      if (!repos?.size) {
        this.#refs.delete(id)
        this.#bytes -= this.#sizes.get(id) ?? 0
        this.#sizes.delete(id)
      }
    }
    this.#served.delete(name)
    this.#hot.delete(name)
    // A forgotten repository (forget) keeps no versions: its deletes change nothing at a peer.
    if (state && Object.keys(state.tags).length === 0 && Object.keys(state.versions ?? {}).length > 0) this.#emptied.add(name)
    else this.#emptied.delete(name)
    if (!state || Object.keys(state.tags).length === 0) return
    const ids = [...new Set(Object.values(state.tags))]
    for (const id of ids) {
      const repos = this.#refs.get(id)
      if (repos) repos.add(name)
      else {
        this.#refs.set(id, new Set([name]))
        const size = state.images[id]?.size ?? 0
        this.#sizes.set(id, size)
        this.#bytes += size
      }
    }
    this.#served.set(name, ids)
    this.#hot.set(name, state)
  }

  /** Deletes the log entries at or below the new floor (unreachable), from where the last trim stopped. */
  async #trim(floor: number, to: number): Promise<void> {
    const from = (await this.#index.get<number>(TRIMMED)) ?? floor
    for (let r = from + 1; r <= to; r += 1000) {
      const keys: string[] = []
      for (let x = r; x <= Math.min(to, r + 999); x++) keys.push(logKey(x))
      await this.#index.delete(keys)
    }
    if (to > from) await this.#index.set(TRIMMED, to)
  }

  #schedule(): void {
    if (this.#o.refreshInterval <= 0 || this.#closed) return
    const tick = () => {
      this.refresh().then(
        () => this.#schedule(),
        () => this.#schedule(), // the index is unreachable (Redis down): try again next tick
      )
    }
    this.#timer = this.#o.clock.setTimeout(tick, this.#o.refreshInterval)
  }
}

/** The changes that turn `prev` into `next`, numbered from `firstRev`, untags first. */
function diff(repo: RepoName, prev: Record<string, string>, next: Record<string, string>, images: Record<string, ImageRecord>, firstRev: number, stamp: (tag: string) => Pick<Change, 'at' | 'prev'>, origin: string): Change[] {
  const out: Change[] = []
  let rev = firstRev
  for (const tag of Object.keys(prev).sort()) if (!(tag in next)) out.push({ rev, repo, op: 'untag', tag, ...stamp(tag), origin, originRev: rev++ })
  for (const tag of Object.keys(next).sort()) {
    if (prev[tag] === next[tag]) continue
    out.push({ rev, repo, op: 'tag', tag, image: images[next[tag]!], ...stamp(tag), origin, originRev: rev++ })
  }
  return out
}
