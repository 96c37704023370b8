// Removing blobs that no snapshot references: by a child's sync leader (sync.collect: after each commit,
// when a blob it spared passes the grace, and at least once per grace), and every
// store.collect.interval at a root, whose overwritten and deleted tags otherwise kept their bytes on disk
// for good (there, also only once the change log no longer names them: a link reads the log a page at a
// time and fetches the images a page's last changes name, which a later page may already replace).
// One collector for both, under the store's pins (blob-pins.ts): a blob a writer of this process stored
// or found but has not committed yet is pinned, and pinning waits for a collection in progress.
import type { Logger } from 'pino'
import type { BlobStore, RepositoryStore } from '../model.ts'

export interface CollectOptions {
  /**
   * Unreferenced blobs younger than this are left alone (0: none): another process's writer (a worker,
   * a node on the same index, `fedgate publish`) pins in its own process only.
   */
  grace: number
  /** Also remove partial downloads untouched this long that no sync of this process needs (a child's). */
  partialMaxAge?: number
  /** Ids kept though unreferenced (those the change log still names); undefined: collect nothing this time. */
  keep?: () => Promise<ReadonlySet<string> | undefined>
}

export interface Collected {
  /** Blobs removed. */
  removed: number
  /** Milliseconds until the first unreferenced blob it spared as too young passes the grace; undefined: none spared. */
  comeOfAge?: number
}

/** Removes unreferenced, unpinned blobs older than the grace; says how many, and when a spared one comes of age. */
export function collectUnreferenced(d: { blobs: BlobStore; repos: RepositoryStore; log: Logger }, o: CollectOptions): Promise<Collected> {
  const { blobs, repos, log } = d
  return blobs.pins.exclusive(async () => {
    let removed = 0
    let comeOfAge: number | undefined
    const kept = o.keep ? await o.keep() : new Set<string>()
    if (kept === undefined) return { removed }
    const orphans = await repos.unreferenced()
    // Read after the listing: a release committed before it (no longer aside there) has its record here.
    const released = o.grace > 0 && repos.released ? await repos.released(o.grace) : undefined
    for (const id of orphans) {
      if (kept.has(id)) continue
      // An operator's release (a dismissed ownership conflict) restarts the grace of bytes stored long ago.
      const age = o.grace > 0 ? Math.min((await blobs.age(id)) ?? 0, released?.get(id) ?? Infinity) : Infinity
      if (age < o.grace) {
        comeOfAge = Math.min(comeOfAge ?? Infinity, o.grace - age)
        continue
      }
      // Checked again per blob: a writer may have committed it, and released its pin, since the listing.
      if (blobs.pins.isPinned(id) || repos.references(id)) continue
      await blobs.remove(id)
      removed++
    }
    // A sync in progress pins every blob its next snapshot needs, partial ones included.
    const partials = o.partialMaxAge === undefined ? 0 : await blobs.removeStalePartials(o.partialMaxAge, (id) => blobs.pins.isPinned(id))
    if (removed || partials) log.info({ removed, partials }, 'collected unreferenced blobs')
    return { removed, comeOfAge }
  })
}
