// Which store's numbering a revision is in. Revisions count per site and per store: a child must never
// ask one site's change feed with another's number (a middle site forwards what it does not hold to its
// root), nor trust a number from before its upstream's store was replaced. So every answer carrying a
// revision names the store it counts in (the `fedgate-store` header, docs/protocol.md).
import { randomBytes } from 'node:crypto'
import type { IndexStore } from './index.ts'

export const STORE_HEADER = 'fedgate-store'
export const STORE_ID_KEY = 'store-id'

/**
 * The index's id, created at its first open and kept with the revisions it names: a wiped or replaced
 * index gets a new one. Safe when several processes open the index at once: the first writer wins.
 */
export async function storeIdOf(index: IndexStore): Promise<string> {
  const kept = await index.get<string>(STORE_ID_KEY)
  if (kept) return kept
  const id = randomBytes(12).toString('base64url')
  if (await index.compareAndSet(STORE_ID_KEY, undefined, [[STORE_ID_KEY, id]])) return id
  const winner = await index.get<string>(STORE_ID_KEY)
  if (!winner) throw new Error('the store id could not be created')
  return winner
}
