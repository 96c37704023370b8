// Per-tag versions (docs/federation.md, "Origin" and "Conflicts"). Every tag value and every tombstone
// carries the site that published it, that site's revision of the publish, and the publish time. They
// are totally ordered, so a site applies a change only when it is newer than what it holds: applying
// is idempotent and order-independent, every site converges on the same value, a delete is never undone
// by an older set, and an older or equal change writes nothing (converged sites go quiet).
import type { Change, RepoState } from '../model.ts'

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
}

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
  return v
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

export interface Conflict {
  repo: string
  tag: string
  winner: TagVersion
  loser: TagVersion
}
