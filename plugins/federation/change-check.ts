// The shape of a change as it crosses a link (docs/protocol.md, "Links"): what a peer sends is checked
// field by field before anything of it is applied, so a malformed one is refused naming the field
// instead of being stored (a publish time is compared as text: "zzz" would win over every value for
// ever) or failing half-way through a batch.
import { SITE_NAME } from '../../gateway/config/schema.ts'
import type { Change } from '../hub/model.ts'
import { IMAGE_ID, isRepoName, isTag, REPO_NAME_RULE, TAG_RULE } from '../hub/names.ts'


/** As Date.prototype.toISOString writes it: the form versions compare as text (store/versions.ts). */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/

const isCount = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0

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
