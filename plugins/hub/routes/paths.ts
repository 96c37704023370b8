// The hub API's paths (docs/protocol.md), parsed once into what they name.
import { isRepoPart, isTag, IMAGE_ID, REPO_NAME_RULE, TAG_RULE } from '../names.ts'

export type HubPath =
  | { kind: 'repo'; repo: string }
  | { kind: 'image'; repo: string; ref: string }
  | { kind: 'content'; repo: string; ref: string }
  | { kind: 'tag'; repo: string; tag: string }
  | { kind: 'blob'; id: string }
  | { kind: 'changes' }
  | { kind: 'federation-repos' }
  | { kind: 'keys' }
  | { kind: 'key-action'; id: string; action: 'disable' | 'enable' | 'recreate' }
  /** A repository path whose name or tag breaks the rules: answered 400 with the rule, not 404. */
  | { kind: 'invalid'; rule: string }

const SLASH = 0x2f

/**
 * What `path` names under `prefix`, or undefined when it is not a hub path this plugin serves.
 * @param isHeldId an id this site holds is well-formed by construction, so the id's pattern (a regex
 *   pass of about 2,000 instructions on every blob read) is checked only for the others.
 */
export function parseHubPath(path: string, prefix: string, isHeldId?: (id: string) => boolean): HubPath | undefined {
  if (!path.startsWith(prefix) || path.charCodeAt(prefix.length) !== SLASH) return undefined
  // Blob reads are most of a site's traffic: named without splitting the path.
  if (path.startsWith('/blobs/sha256:', prefix.length)) {
    const id = path.slice(prefix.length + 14)
    return isHeldId?.(id) || IMAGE_ID.test(id) ? { kind: 'blob', id } : undefined
  }
  const s = path.slice(prefix.length + 1).split('/')
  switch (s[0]) {
    case 'repos': {
      if (s.length < 3) return undefined
      const repo = `${s[1]}/${s[2]}`
      // Only the shapes of the API below: a bad name in one of them is refused by its rule.
      const shaped = s.length === 3 || (s[3] === 'images' && (s.length === 5 || (s.length === 6 && s[5] === 'content'))) || (s[3] === 'tags' && s.length === 5)
      if (!shaped) return undefined
      if (!isRepoPart(s[1]!) || !isRepoPart(s[2]!)) return { kind: 'invalid', rule: REPO_NAME_RULE }
      if (s.length === 3) return { kind: 'repo', repo }
      if (s[3] === 'images') {
        if (!isRef(s[4]!)) return { kind: 'invalid', rule: `${TAG_RULE}, or sha256:<64 lower-case hex digits>` }
        return s.length === 5 ? { kind: 'image', repo, ref: s[4]! } : { kind: 'content', repo, ref: s[4]! }
      }
      if (!isTag(s[4]!)) return { kind: 'invalid', rule: TAG_RULE }
      return { kind: 'tag', repo, tag: s[4]! }
    }
    case 'federation':
      if (s.length === 2 && s[1] === 'changes') return { kind: 'changes' }
      if (s.length === 2 && s[1] === 'repos') return { kind: 'federation-repos' }
      return undefined
    case 'admin':
      if (s[1] !== 'keys') return undefined
      if (s.length === 2) return { kind: 'keys' }
      if (s.length === 4 && (s[3] === 'disable' || s[3] === 'enable' || s[3] === 'recreate')) return { kind: 'key-action', id: s[2]!, action: s[3] }
      return undefined
    default:
      return undefined
  }
}

function isRef(ref: string): boolean {
  return isTag(ref) || (ref.startsWith('sha256:') && IMAGE_ID.test(ref.slice(7)))
}
