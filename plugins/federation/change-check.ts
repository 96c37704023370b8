// The shape of a change as it crosses a link (docs/protocol.md, "Links"): what a peer sends is checked
// field by field before anything of it is applied, so a malformed one is refused naming the field
// instead of being stored (a publish time is compared as text: "zzz" would win over every value for
// ever) or failing half-way through a batch.
import { SITE_NAME } from '../../gateway/config/schema.ts'
import type { Change } from '../hub/model.ts'
import { IMAGE_ID, isRepoName, isTag, REPO_NAME_RULE, TAG_RULE } from '../hub/names.ts'
import { changesOfState } from './state.ts'


/** As Date.prototype.toISOString writes it: the form versions compare as text (store/versions.ts). */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/

const isCount = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x)

/** What is wrong with a change a peer sent, or undefined when it is well formed. */
export function changeProblem(c: unknown): string | undefined {
  if (typeof c !== 'object' || c === null || Array.isArray(c)) return 'a change is {rev, repo, op: tag|untag, tag, image?, at, origin, originRev, prev?}'
  const x = c as Record<string, unknown>
  if (typeof x.repo !== 'string' || !isRepoName(x.repo)) return `repo ${JSON.stringify(x.repo)}: ${REPO_NAME_RULE}`
  const where = `change ${JSON.stringify(x.rev)} of ${x.repo}`
  if (!isCount(x.rev)) return `${where}: rev is a revision, an integer ≥ 0`
  if (x.op !== 'tag' && x.op !== 'untag') return `${where}: op is tag or untag`
  if (typeof x.tag !== 'string' || !isTag(x.tag)) return `${where}: tag ${JSON.stringify(x.tag)}: ${TAG_RULE}`
  // Empty: a version from before publish times were recorded (store/versions.ts, heldVersion).
  if (typeof x.at !== 'string' || (x.at !== '' && (!ISO_TIME.test(x.at) || Number.isNaN(Date.parse(x.at))))) return `${where}: at ${JSON.stringify(x.at)} is not an ISO 8601 time (2026-11-22T10:00:00.000Z)`
  if (typeof x.origin !== 'string' || !SITE_NAME.test(x.origin)) return `${where}: origin ${JSON.stringify(x.origin)} is not a site name`
  if (!isCount(x.originRev)) return `${where}: originRev is the origin's revision, an integer ≥ 0`
  if (x.prev != null) {
    const p = x.prev as Record<string, unknown>
    if (typeof p !== 'object' || typeof p.origin !== 'string' || !SITE_NAME.test(p.origin) || !isCount(p.originRev)) return `${where}: prev is null or {origin, originRev}`
  }
  if (x.aside !== undefined && (x.aside !== true || x.op !== 'untag')) return `${where}: aside is true, on an untag only (a withdrawal)`
  if (x.op === 'tag') {
    const i = x.image as Record<string, unknown> | undefined
    if (typeof i !== 'object' || i === null) return `${where}: a tag change names its image {id, size, createdAt}`
    if (typeof i.id !== 'string' || !IMAGE_ID.test(i.id)) return `${where}: image id ${JSON.stringify(i.id)} is not 64 lower-case hex digits`
    if (!isCount(i.size)) return `${where}: image size is a byte count, an integer ≥ 0`
    if (typeof i.createdAt !== 'string') return `${where}: image createdAt is a time`
  }
  return undefined
}


/**
 * What is wrong with a page of a peer's log read from `since` (wire.ts LinkPage), or undefined. A page
 * that says there is more must move on: one that does not would be read again and again.
 */
export function pageProblem(page: unknown, since: number): string | undefined {
  const p = page as Record<string, unknown> | null
  if (typeof p !== 'object' || p === null || typeof p.store !== 'string' || p.store === '' || !Array.isArray(p.changes)) return 'a page is {store, revision, changes: [...], next, more}'
  if (!isCount(p.next) || p.next < since || (p.more === true && p.next === since)) return `next ${JSON.stringify(p.next)} after since=${since}: a page moves on (next > since while there is more)`
  for (const c of p.changes) {
    const problem = changeProblem(c)
    if (problem !== undefined) return problem
  }
  return undefined
}


/**
 * What is wrong with a peer's whole state (wire.ts LinkSnapshot), or undefined. Checked whole before
 * anything of it is applied: each repository's shape, then each change it makes (as a page's are), so
 * a malformed answer fails naming the field rather than with a TypeError half-way through.
 */
export function snapshotProblem(snap: unknown, peer: string): string | undefined {
  if (!isRecord(snap)) return 'a whole state is {store, revision, repos: [...]}'
  if (typeof snap.store !== 'string' || snap.store === '') return `store ${JSON.stringify(snap.store)} is the id of the peer's store`
  if (!isCount(snap.revision)) return `revision ${JSON.stringify(snap.revision)}: a revision, an integer ≥ 0`
  if (!Array.isArray(snap.repos)) return 'repos is a list [{name, tags, images, versions}]'
  for (const [i, r] of snap.repos.entries()) {
    if (!isRecord(r)) return `repos[${i}] is {name, tags, images, versions}`
    if (typeof r.name !== 'string' || !isRepoName(r.name)) return `repos[${i}]: name ${JSON.stringify(r.name)}: ${REPO_NAME_RULE}`
    const where = `repos[${i}] (${r.name})`
    if (!isRecord(r.tags)) return `${where}: tags is {tag: image id}`
    if (!isRecord(r.images)) return `${where}: images is {image id: {id, size, createdAt}}`
    for (const [tag, id] of Object.entries(r.tags)) {
      if (typeof id !== 'string' || !IMAGE_ID.test(id)) return `${where}: tag ${tag} names ${JSON.stringify(id)}, not an image id (64 lower-case hex digits)`
      const image = r.images[id]
      if (isRecord(image) && image.id !== id) return `${where}: images[${id.slice(0, 12)}] holds image ${JSON.stringify(image.id)}`
    }
    // Absent: versions from before they were recorded (store/versions.ts, heldVersion).
    if (r.versions !== undefined && !isRecord(r.versions)) return `${where}: versions is {tag: {origin, originRev, at, image | deleted}}`
    for (const [tag, v] of Object.entries(r.versions ?? {})) if (!isRecord(v)) return `${where}: versions[${JSON.stringify(tag)}] is {origin, originRev, at, image | deleted}`
    const state = { name: r.name, tags: r.tags as Record<string, string>, images: r.images as never, versions: r.versions as never, revision: snap.revision }
    for (const c of changesOfState(state, peer)) {
      const problem = changeProblem(c)
      if (problem !== undefined) return `${where}: ${problem}`
    }
  }
  return undefined
}
