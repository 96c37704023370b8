// Which blobs each link uploaded here and no change of its has named yet: such a blob is the link's to
// know and to tag (routes.ts, holdsFor) though none of its repositories references it. Kept in the site's
// index (embedded or Redis), not in one process's memory: a restart between a peer's blob upload and its
// change upload, or the two landing on different processes of the site, must not refuse the change.
// A record lasts the blob's grace (store.collect.grace): past it the collector may remove the
// unreferenced blob anyway, so the record would promise what the site may no longer hold.
import type { Clock } from '../../gateway/util/clock.ts'

/** `fed/uploaded/<link id>/<blob id>` → when (ms) the link's upload of that blob began. */
const UPLOADED = 'fed/uploaded/'

export interface UploadsIndex {
  get<T>(key: string): Promise<T | undefined>
  set(key: string, value: unknown): Promise<void>
  delete(keys: string[]): Promise<void>
  scan<T>(prefix: string): AsyncIterable<[string, T]>
}

const keyOf = (linkId: string, id: string) => `${UPLOADED}${linkId}/${id}`

export class LinkUploads {
  constructor(
    private readonly index: UploadsIndex,
    private readonly clock: Clock,
    /** store.collect.grace, ms. */
    private readonly grace: number,
  ) {}

  /**
   * An upload of blob `id` by the link begins; call the answer once its bytes are verified and stored.
   * Dated now, before the bytes are placed, so the record never outlives the blob's own grace.
   */
  starting(linkId: string, id: string): () => Promise<void> {
    const at = this.clock.now()
    return () => this.index.set(keyOf(linkId, id), at)
  }

  /** Did the link upload `id`, within the grace? */
  async has(linkId: string, id: string): Promise<boolean> {
    const at = await this.index.get<number>(keyOf(linkId, id))
    return typeof at === 'number' && this.clock.now() - at < this.grace
  }

  /** A change upload of the link committed: the blobs it named are its repositories' now (or lost to a newer value). */
  async forget(linkId: string, ids: Iterable<string>): Promise<void> {
    await this.index.delete([...ids].map((id) => keyOf(linkId, id)))
  }

  /** Removes every link's records past the grace (blobs never named by a change); how many. */
  async sweep(): Promise<number> {
    const expired: string[] = []
    const now = this.clock.now()
    for await (const [key, at] of this.index.scan<number>(UPLOADED)) if (typeof at !== 'number' || now - at >= this.grace) expired.push(key)
    await this.index.delete(expired)
    return expired.length
  }
}
