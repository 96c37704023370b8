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

/** `ns/name` (latest), `ns/name:tag`, `ns/name#<id>`, as hub clients write them. */
export function parseReference(ref: string): { repo: RepoName; tag?: string; id?: string } {
  const hash = ref.indexOf('#')
  if (hash >= 0) {
    const id = ref.slice(hash + 1)
    if (!IMAGE_ID.test(id)) throw new GatewayError('GW_ERR_BAD_REQUEST', 'an image id is 64 lower-case hex digits')
    return { repo: checkRepoName(ref.slice(0, hash)), id }
  }
  const colon = ref.indexOf(':')
  if (colon >= 0) return { repo: checkRepoName(ref.slice(0, colon)), tag: checkTag(ref.slice(colon + 1)) }
  return { repo: checkRepoName(ref), tag: 'latest' }
}

/** Does `pattern` (`acme/*`, `acme/app`, `*`) cover `name`? */
export function namespaceMatches(pattern: string, name: RepoName): boolean {
  if (pattern === '*' || pattern === name) return true
  return pattern.endsWith('/*') && name.startsWith(pattern.slice(0, -1))
}
