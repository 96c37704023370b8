// Names in the hub protocol (docs/protocol.md, "Names"): repositories, tags, image ids, references.
import { GatewayError } from '../../gateway/errors.ts'
import type { RepoName } from './model.ts'

const PART = /^[a-z0-9][a-z0-9._-]{0,63}$/
const TAG = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/
export const IMAGE_ID = /^[0-9a-f]{64}$/

export function isRepoName(name: string): boolean {
  const slash = name.indexOf('/')
  return slash > 0 && isRepoPart(name.slice(0, slash)) && isRepoPart(name.slice(slash + 1))
}

/** One part of a repository name (its namespace or its name): no slash, by the rule. */
export function isRepoPart(part: string): boolean {
  return PART.test(part)
}

export const REPO_NAME_RULE = 'a repository is namespace/name, each part 1-64 of a-z 0-9 . _ -'
export const TAG_RULE = 'a tag is 1-128 of A-Z a-z 0-9 . _ - starting with a letter or digit'

export function checkRepoName(name: string): RepoName {
  if (!isRepoName(name)) throw new GatewayError('GW_ERR_BAD_REQUEST', REPO_NAME_RULE)
  return name
}

export function isTag(tag: string): boolean {
  return TAG.test(tag)
}

export function checkTag(tag: string): string {
  if (!isTag(tag)) throw new GatewayError('GW_ERR_BAD_REQUEST', TAG_RULE)
  return tag
}

export type Reference = { repo: RepoName; tag?: string; id?: string }

/**
 * `ns/name` (latest), `ns/name:tag`, `ns/name#<id>`, as hub clients write them; or what is wrong with it:
 * the part, quoted as given (JSON: a control character shows as an escape), and the rule it breaks.
 */
export function readReference(ref: string): Reference | { problem: string } {
  const hash = ref.indexOf('#')
  const colon = ref.indexOf(':')
  const end = hash >= 0 ? hash : colon >= 0 ? colon : ref.length
  const repo = ref.slice(0, end)
  if (!isRepoName(repo)) return { problem: `${JSON.stringify(repo)} is not a repository name: ${REPO_NAME_RULE}` }
  if (hash >= 0) {
    const id = ref.slice(hash + 1)
    return IMAGE_ID.test(id) ? { repo, id } : { problem: `${JSON.stringify(id)} is not an image id: an image id is 64 lower-case hex digits` }
  }
  if (colon < 0) return { repo, tag: 'latest' }
  const tag = ref.slice(colon + 1)
  return isTag(tag) ? { repo, tag } : { problem: `${JSON.stringify(tag)} is not a tag: ${TAG_RULE}` }
}

/** readReference, refusing a bad reference with 400 and its problem. */
export function parseReference(ref: string): Reference {
  const r = readReference(ref)
  if ('problem' in r) throw new GatewayError('GW_ERR_BAD_REQUEST', r.problem)
  return r
}

/** Does `pattern` (`acme/*`, `acme/app`, `*`) cover `name`? */
export function namespaceMatches(pattern: string, name: RepoName): boolean {
  if (pattern === '*' || pattern === name) return true
  return pattern.endsWith('/*') && name.startsWith(pattern.slice(0, -1))
}
