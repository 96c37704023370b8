// The hub's data model and the seams between its parts. The root's publish path and the child's sync
// engine both write through RepositoryStore; the hub routes read through it at every kind of site,
// which is why a child can be the upstream of another child with no extra code.
import type { BlobPins } from './store/blob-pins.ts'
import type { TagVersion, VersionRef } from './store/versions.ts'
import type { Readable } from 'node:stream'

/** `namespace/name`, lower-case letters, digits, `.`, `_`, `-`; each part 1–64 characters. */
export type RepoName = string

/** An image is one blob; its id is the sha256 (hex) of its bytes. */
export interface ImageRecord {
  id: string
  size: number
  createdAt: string
}

/** What a site serves for one repository: a snapshot, replaced whole and atomically. */
export interface RepoState {
  name: RepoName
  /** The site-local revision of the last change to this repository. */
  revision: number
  /** tag → image id. `latest` is an ordinary tag that publish moves unless told not to. */
  tags: Record<string, string>
  /** Every image a tag points to. */
  images: Record<string, ImageRecord>
  /** At a child: the upstream revision this snapshot was built from. */
  upstreamRevision?: number
  /** tag → the version of its value, tombstones included (store/versions.ts); absent before origins were recorded. */
  versions?: Record<string, TagVersion>
  /**
   * Values this site published here before it learnt that another site owns the repository: no longer
   * served, kept for the operator (docs/federation.md, "Ownership learnt late"); their images stay stored.
   */
  aside?: AsideTag[]
}

/** A tag value set aside for the owner's (RepoState.aside). */
export interface AsideTag {
  repo: RepoName
  tag: string
  image: ImageRecord
  /** When this site published it. */
  publishedAt: string
  /** When it was set aside. */
  setAsideAt: string
  /** The site that claims the repository. */
  owner: string
}

/** One entry in a site's change feed. Deletes travel as tombstones (op 'untag'). */
export interface Change {
  rev: number
  repo: RepoName
  op: 'tag' | 'untag'
  tag: string
  /** Present for 'tag'. */
  image?: ImageRecord
  at: string
  /** The site where the change was made (absent in entries older than origins: the serving site). */
  origin?: string
  /** The origin's revision of the change. */
  originRev?: number
  /** The linked site it arrived from, if it arrived over a link: never sent back there. */
  via?: string
  /** The version of the tag it was written over at its origin, null for none (store/versions.ts); absent in older entries. */
  prev?: VersionRef | null
  /**
   * An untag by which its origin withdrew its own value from a repository another site owns
   * (store/versions.ts, WITHDRAWN_AT): it removes only that origin's values, and loses to any other's.
   */
  aside?: true
}

export interface ChangePage {
  /** The site's current revision: pass it as `since` next time. */
  revision: number
  changes: Change[]
  /** True when the page was cut at its limit: ask again with `since` = the last change's rev. */
  more?: boolean
}

export interface WriteOptions {
  resume?: boolean
  expectedSize?: number
  /** Hears the length of every chunk as it is hashed (progress, without another stream in the way). */
  onChunk?: (n: number) => void
  /** Called once every byte is received and written, before the fsync: the network is free again. */
  onReceived?: () => void
  /**
   * Read and verify the bytes even when the blob is stored already (then kept once, the new copy
   * dropped): a link upload, whose answer must not tell the sender whether the site holds the blob.
   */
  verifyHeld?: boolean
  /**
   * The source continues the kept bytes from exactly this offset (a link upload's resume): checked when
   * this write's turn comes, after any other write of the blob, which may have moved or finished them.
   * A mismatch is GW_ERR_CONFLICT and reads nothing.
   */
  resumeAt?: number
  /**
   * Bytes go into the kept partial, and the blob into place, only while this holds (a sync leader's
   * lease certainly runs): a writer frozen past its lease must not touch the file its successor writes.
   * Past it the write fails GW_ERR_STOPPING, what it had gathered unwritten.
   */
  fence?: () => boolean
}

export interface BlobStore {
  /** Is a verified blob with this id stored? */
  has(id: string): Promise<boolean>
  /** Absolute path of a stored blob (only meaningful when has(id)). */
  path(id: string): string
  /** Bytes already kept from an interrupted download of `id`, to resume with a Range request. */
  partialSize(id: string): Promise<number>
  /** Takes over another node's partial download of `id` when this node has none (the sync leader's resume). */
  adoptPartial?(id: string): Promise<void>
  /**
   * Streams `source` into a temp file, hashing as it goes; on a digest or size mismatch nothing is
   * stored (GW_ERR_DIGEST_MISMATCH; GW_ERR_TRUNCATED for a source that ends short of `expectedSize`, whose
   * bytes are kept to continue from). Verified bytes are fsynced and renamed into place.
   * With `resume`, the kept partial bytes are hashed first and `source` continues from there.
   */
  write(id: string, source: Readable, o?: WriteOptions): Promise<void>
  remove(id: string): Promise<void>
  /** Milliseconds since a stored blob was last written; undefined when it is not stored. */
  age(id: string): Promise<number | undefined>
  /** Removes partial downloads untouched for `maxAgeMs` that `keep` does not hold; how many. */
  removeStalePartials(maxAgeMs: number, keep: (id: string) => boolean): Promise<number>
  list(): AsyncIterable<string>
  /** What writers have not committed yet: collectors of this store leave pinned blobs alone. */
  readonly pins: BlobPins
}

/** What a commit sets: the whole tag map, the images it names, the upstream revision it mirrors. */
export interface RepoUpdate {
  tags: Record<string, string>
  images: Record<string, ImageRecord>
  upstreamRevision?: number
}

export interface RepositoryStore {
  list(): Promise<RepoName[]>
  get(repo: RepoName): Promise<RepoState | undefined>
  /**
   * Replaces a repository's tags in one atomic step and appends the differences to the change log.
   * Every image named must already be in the blob store. Returns the new state. Given a function, the
   * next state is made from the committed one, read again on every attempt, so a change another
   * writer (another process on the same index) committed meanwhile is built on, never overwritten.
   */
  commit(repo: RepoName, next: RepoUpdate | ((committed: RepoState | undefined) => RepoUpdate)): Promise<RepoState>
  /** Changes after `since`, optionally for one repository; 'too-old' when the log no longer reaches back. */
  changes(since: number, repo?: RepoName): Promise<ChangePage | 'too-old'>
  /** Blob ids that no repository's snapshot references. */
  unreferenced(): Promise<string[]>
  /**
   * Blob id → ms since an operator released it (a dismissed ownership conflict), for those released
   * within `grace`: its grace counts from then (store/released-blobs.ts).
   */
  released?(grace: number): Promise<ReadonlyMap<string, number>>
  /** Does a snapshot reference blob `id` now (as this process knows it)? */
  references(id: string): boolean
  /**
   * Stops serving `repo` if its committed state is still at `revision`: its tags removed in one commit
   * (tombstones in the feed). False when there is nothing to drop or another commit came first.
   */
  drop(repo: RepoName, revision: number): Promise<boolean>
}
