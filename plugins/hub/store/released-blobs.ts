// Blobs an operator let go of: the image of a dismissed ownership conflict (docs/federation.md, "Ownership
// learnt late"), kept aside and never collected until then. From then on it is an ordinary orphan whose
// grace (store.collect.grace) counts from the release, not from when its bytes were stored (long ago, as
// a rule): another operator may still be reading it to publish it again. One record per blob in the
// site's index, written in the commit that releases it, so every process's and node's collector sees it.

/** `released/<blob id>` → when (ms, the site's clock) it was released. */
const RELEASED = 'released/'

export const releasedKey = (id: string): string => `${RELEASED}${id}`

export interface ReleasedIndex {
  scan<T>(prefix: string): AsyncIterable<[string, T]>
  delete(keys: string[]): Promise<void>
}

/** Blob id → ms since its release, for those released within `grace`; older records are removed. */
export async function releasedWithin(index: ReleasedIndex, now: number, grace: number): Promise<Map<string, number>> {
  const out = new Map<string, number>()
  const expired: string[] = []
  for await (const [key, at] of index.scan<number>(RELEASED)) {
    const age = typeof at === 'number' ? now - at : Infinity
    if (age < grace) out.set(key.slice(RELEASED.length), Math.max(0, age))
    else expired.push(key)
  }
  // Past the grace the blob's own age decides again, which is older still.
  if (expired.length) await index.delete(expired)
  return out
}
