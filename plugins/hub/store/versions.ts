// Per-tag versions (docs/federation.md, "Origin" and "Conflicts"). Every tag value and every tombstone
// carries the site that published it, that site's revision of the publish, and the publish time. They
// are totally ordered, so a site applies a change only when it is newer than what it holds: applying
// is idempotent and order-independent, every site converges on the same value, a delete is never undone
// by an older set, and an older or equal change writes nothing (converged sites go quiet).
import type { Change, RepoState } from '../model.ts'

/** Names one version: a site's revision of a change is unique. */
export interface VersionRef {
  origin: string
  originRev: number
}

export interface TagVersion {
  /** The site where the change was made. */
  origin: string
  /** That site's revision of the change. */
  originRev: number
  /** When it was made there (ISO 8601). */
  at: string
  /** A tombstone: the tag was deleted. */
  deleted?: true
  /** The image the tag pointed to (absent on a tombstone). */
  image?: string
  /**
   * The version this one was written over at its origin; null: the tag was new there. Absent on
   * versions from before it was recorded (unknown). Tells a causal overwrite from a concurrent write.
   */
  prev?: VersionRef | null
  /** A withdrawal (Change.aside): a tombstone dated WITHDRAWN_AT. */
  aside?: true
}

/**
 * The publish time of a withdrawal: before any real publish, so it is newer than the values of its own
 * origin (by revision) and older than every other origin's (by time). The owner's value, wherever it
 * arrives, replaces it, and it never removes a value another site made.
 */
export const WITHDRAWN_AT = new Date(0).toISOString()

/** Is `a` newer than `b`? Same origin: its revision; else the later publish, ties by the greater site name. */
export function newer(a: TagVersion, b: TagVersion | undefined): boolean {
  if (!b) return true
  if (a.origin === b.origin) return a.originRev > b.originRev
  if (a.at !== b.at) return a.at > b.at
  return a.origin > b.origin
}

/** The version a log entry carries; an entry from before origins were recorded is the serving site's own. */
export function versionOfChange(c: Change, site: string): TagVersion {
  const v: TagVersion = { origin: c.origin ?? site, originRev: c.originRev ?? c.rev, at: c.at }
  if (c.op === 'untag') v.deleted = true
  else v.image = c.image?.id
  if (c.prev !== undefined) v.prev = c.prev && { origin: c.prev.origin, originRev: c.prev.originRev }
  if (c.aside && c.op === 'untag') v.aside = true
  return v
}

/** The reference a change written over `held` records as its `prev` (null: nothing was held). */
export function refOf(held: TagVersion | undefined): VersionRef | null {
  return held ? { origin: held.origin, originRev: held.originRev } : null
}

/**
 * The publish time of a change written over `held` at this site: now, or just after `held` when this
 * site's clock is behind the one `held` was published by. So an overwrite is always newer than what it
 * overwrote (a causal overwrite wins everywhere, by the same total order), whatever the clocks say.
 */
export function publishTime(now: number, held: TagVersion | undefined): string {
  const after = held ? Date.parse(held.at) + 1 : NaN
  return new Date(Number.isFinite(after) && after > now ? after : now).toISOString()
}

/** The version held for `tag`; a tag set before origins were recorded counts as the holder's own. */
export function heldVersion(state: RepoState | undefined, tag: string, site: string): TagVersion | undefined {
  const v = state?.versions?.[tag]
  if (v) return v
  const id = state?.tags[tag]
  if (!state || id === undefined) return undefined
  return { origin: site, originRev: 0, at: state.images[id]?.createdAt ?? '', image: id }
}

/** Two versions that disagree on the value: the loser is reported as a conflict. */
export function sameValue(a: TagVersion, b: TagVersion): boolean {
  return !!a.deleted === !!b.deleted && a.image === b.image
}

/** Was `a` written over `b` at its origin (its recorded `prev` is `b`)? */
function supersedes(a: TagVersion, b: TagVersion): boolean {
  return !!a.prev && a.prev.origin === b.origin && a.prev.originRev === b.originRev
}

/**
 * Do an incoming version and the held one conflict (is the loser to be recorded)? Not when one origin
 * made both, or they agree on the value, or the winner was written over the loser (a causal overwrite,
 * whichever of the two arrives where: both sides see the same pair), or one is a withdrawal. Otherwise the writes were
 * concurrent, and every side that sees both records the same one; where `prev` is unknown (a version
 * from before it was recorded), as before: any two origins disagreeing.
 */
export function conflicting(incoming: TagVersion, held: TagVersion, incomingWins: boolean): boolean {
  // A withdrawal is no value: the one that replaces it (the owner's) conflicts with nothing.
  if (incoming.origin === held.origin || sameValue(incoming, held) || incoming.aside || held.aside) return false
  return !(incomingWins ? supersedes(incoming, held) : supersedes(held, incoming))
}

export interface Conflict {
  repo: string
  tag: string
  winner: TagVersion
  loser: TagVersion
}
