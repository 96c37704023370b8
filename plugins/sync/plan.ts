// The next snapshot of a repository, computed from what the child holds and what the upstream says:
// either the repository whole, or the current snapshot with the change feed applied (tombstones
// remove tags). Pure functions: no I/O, so the rules are easy to read in one place.
import type { Change, ImageRecord, RepoState } from '../hub/model.ts'
import type { UpstreamRepo } from './upstream.ts'

export interface NextSnapshot {
  tags: Record<string, string>
  images: Record<string, ImageRecord>
  upstreamRevision: number
}

/** Keeps only the images some tag points to. */
function referenced(tags: Record<string, string>, images: Record<string, ImageRecord>): Record<string, ImageRecord> {
  const out: Record<string, ImageRecord> = {}
  for (const id of Object.values(tags)) {
    const image = images[id]
    if (!image) throw new Error(`the upstream tags image ${id.slice(0, 12)} without describing it`)
    out[id] = image
  }
  return out
}

export function fromWhole(r: UpstreamRepo | undefined, upstreamRevision: number): NextSnapshot {
  if (!r) return { tags: {}, images: {}, upstreamRevision }
  return { tags: { ...r.tags }, images: referenced(r.tags, r.images), upstreamRevision: r.revision }
}

export function applyChanges(cur: RepoState | undefined, changes: readonly Change[], upstreamRevision: number): NextSnapshot {
  const tags: Record<string, string> = { ...cur?.tags }
  const images: Record<string, ImageRecord> = { ...cur?.images }
  for (const c of changes) {
    if (c.op === 'untag') delete tags[c.tag]
    else if (c.image) {
      tags[c.tag] = c.image.id
      images[c.image.id] = c.image
    }
  }
  return { tags, images: referenced(tags, images), upstreamRevision }
}

export function sameTags(a: Record<string, string> | undefined, b: Record<string, string>): boolean {
  const ka = Object.keys(a ?? {})
  return ka.length === Object.keys(b).length && ka.every((k) => a![k] === b[k])
}
