// Where each repository stands in its upstream's change feed, kept in the site's index beside the
// repository states, so a restarted process (or the next sync leader) settles quiet repositories with
// one read of the feed, as a running one does, instead of asking for each repository's state.
// A record describes one local commit (its revision) and is written only after that commit: a crash in
// between leaves the record of an older commit, which no longer matches the state and is ignored.
import type { RepoName } from '../hub/model.ts'

/** Which upstream store counted a snapshot's upstreamRevision, and the local commit it belongs to. */
export interface Counted {
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

/** The part of the site's index this needs (IndexStore from plugins/hub/store). */
export interface PositionIndex {
  scan<T>(prefix: string): AsyncIterable<[string, T]>
  setMany(entries: [string, unknown][]): Promise<void>
  delete(keys: string[]): Promise<void>
}

/** Records per index write: one lmdb transaction or Redis MULTI each. */
const BATCH = 1000

export class FeedPositions {
  /** Writes go out one after another, in the order they were made: a later record is never overwritten by an earlier one. */
  #writes: Promise<unknown> = Promise.resolve()

  /**
   * `prefix` names the blob folder (`sync/feed/<folder id>/`): a record also says that folder's leader
   * brought the commit's blobs, which a node on another disk sharing the index has not.
   */
  constructor(
    private readonly index: PositionIndex,
    private readonly prefix: string,
  ) {}

  /** Every record kept. */
  async load(): Promise<Map<RepoName, Counted>> {
    const out = new Map<RepoName, Counted>()
    for await (const [key, c] of this.index.scan<Counted>(this.prefix)) out.set(key.slice(this.prefix.length), c)
    return out
  }

  /** Keeps each record (undefined: removes it); resolves once written, rejects when the index failed. */
  save(records: readonly (readonly [RepoName, Counted | undefined])[]): Promise<void> {
    const run = this.#writes.then(async () => {
      const set = records.filter((r): r is readonly [RepoName, Counted] => r[1] !== undefined)
      for (let i = 0; i < set.length; i += BATCH) await this.index.setMany(set.slice(i, i + BATCH).map(([name, c]) => [this.prefix + name, c]))
      const gone = records.filter((r) => r[1] === undefined).map(([name]) => this.prefix + name)
      for (let i = 0; i < gone.length; i += BATCH) await this.index.delete(gone.slice(i, i + BATCH))
    })
    this.#writes = run.catch(() => {})
    return run
  }
}
