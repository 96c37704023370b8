// npm names and the registry paths that carry them, and how a package maps to a repository of the
// site's store: `left-pad` → `npm/left-pad`, `@acme/util` → `npm.acme/util`, a legacy name such as
// `JSONStream` → `npm._/0_j_s_o_n_stream` (namespaces `npm` and `npm.*` are the npm plugin's own).
import type { RepoName } from '../hub/model.ts'
import { isRepoName } from '../hub/names.ts'

const PART = '[a-z0-9][a-z0-9._~-]*'
/** A name npm no longer takes for a new package but still installs (validate-npm-package-name's legacy
 * names): capitals and `~'!()*`, never scoped. Some are much used (`JSONStream`). */
const LEGACY = "[A-Za-z0-9~'!()*][A-Za-z0-9._~'!()*-]*"
export const PACKAGE_NAME = new RegExp(`^(@${PART}/)?${PART}$|^${LEGACY}$`)
export const PACKAGE_OR_SCOPE = new RegExp(`^(@${PART}/(\\*|${PART})|${PART}|${LEGACY})$`)
// One raw path segment holding no encoded slash (other escapes, such as a tarball's `%2B`, may stay).
const SEG = '(?:[^/%]|%(?!2f)[0-9a-f]{2})+'
// A scoped name as npm escapes it: the one `%2f` between scope and name, none anywhere else.
const SCOPED = `@${SEG}%2f${SEG}`
/**
 * Raw paths where `%2f` is part of a scoped name: `/@scope%2fname`, `/@scope%2fname/<version or tag>`,
 * `/@scope%2fname/-rev/…`, `/-/package/@scope%2fname/dist-tags[/tag]`, and the tarball paths
 * `/@scope%2fname/-/file.tgz[/-rev/…]` that older registries (Verdaccio 4) write into packuments.
 */
export const ENCODED_SCOPED = [
  new RegExp(`^/${SCOPED}(/${SEG}|/-rev/${SEG}|/-/${SEG}(/-rev/${SEG})?)?$`, 'i'),
  new RegExp(`^/-/package/${SCOPED}/dist-tags(/${SEG})?$`, 'i'),
]

export function isPackageName(name: string): boolean {
  return name.length <= 214 && PACKAGE_NAME.test(name)
}

/** The repository a package is stored as, or undefined when its name cannot be one (a part over 64
 * characters once escaped). */
export function repoOf(name: string): RepoName | undefined {
  const m = /^@([^/]+)\/(.+)$/.exec(name)
  const repo = m ? `npm.${m[1]}/${m[2]}` : `npm/${name}`
  if (isRepoName(repo)) return repo
  const legacy = m ? undefined : `${LEGACY_NAMESPACE}/${escapeLegacy(name)}`
  return legacy !== undefined && isRepoName(legacy) ? legacy : undefined
}

/** The package a repository holds, or undefined when it is no npm repository: only one repoOf makes, so
 * no two repositories read as one package. */
export function packageOf(repo: RepoName): string | undefined {
  const [ns, name] = repo.split('/')
  const pkg = ns === 'npm' ? name : ns === LEGACY_NAMESPACE ? unescapeLegacy(name!) : ns?.startsWith('npm.') ? `@${ns.slice(4)}/${name}` : undefined
  return pkg !== undefined && repoOf(pkg) === repo ? pkg : undefined
}

/** Where names that cannot be repository parts as they are go, escaped. No scope maps here: a scope
 * begins with a letter or a digit. */
const LEGACY_NAMESPACE = 'npm._'

/**
 * A legacy name as a repository part (a–z 0–9 . _ -, beginning with a letter or digit): a–z, 0–9, `.`
 * and `-` as they are, a capital as `_` and its small letter, any other character as `_` and its two hex
 * digits (`~` → `_7e`, `_` → `_5f`: all begin with a digit), the whole after a `0`. One name, one part:
 * `JSONStream` and `jsonstream` are two packages.
 */
function escapeLegacy(name: string): string {
  let out = '0'
  for (const c of name) {
    if (/[a-z0-9.-]/.test(c)) out += c
    else if (/[A-Z]/.test(c)) out += '_' + c.toLowerCase()
    else out += '_' + c.charCodeAt(0).toString(16).padStart(2, '0')
  }
  return out
}

/** escapeLegacy's inverse on the parts it makes (packageOf checks the round trip). */
function unescapeLegacy(part: string): string {
  return part.slice(1).replace(/_([a-z]|[0-9][0-9a-f])/g, (_, e: string) => (e.length === 1 ? e.toUpperCase() : String.fromCharCode(parseInt(e, 16))))
}

export type NpmPath =
  | { kind: 'packument'; name: string }
  | { kind: 'tarball'; name: string; file: string }
  | { kind: 'dist-tags'; name: string; tag?: string }
  | { kind: 'revision'; name: string; rest: string }
  /** One version's document, by version or dist-tag (`/left-pad/1.0.0`, `/left-pad/latest`). */
  | { kind: 'version'; name: string; version: string }

/**
 * Parses a decoded path: `/pkg`, `/@s/pkg`, `/pkg/-/file.tgz`, `/-/package/pkg/dist-tags[/tag]`,
 * `/pkg/-rev/…`, `/pkg/<version or tag>`.
 */
export function parseNpmPath(path: string): NpmPath | undefined {
  if (path.startsWith('/-/package/')) {
    const m = /^\/-\/package\/((?:@[^/]+\/)?[^/@][^/]*)\/dist-tags(?:\/([^/]+))?$/.exec(path)
    if (!m || !isPackageName(m[1]!)) return undefined
    return m[2] === undefined ? { kind: 'dist-tags', name: m[1]! } : { kind: 'dist-tags', name: m[1]!, tag: m[2] }
  }
  const m = /^\/((?:@[^/]+\/)?[^/@-][^/]*)(?:\/(-|-rev)\/(.+)|\/([^/]+))?$/.exec(path)
  if (!m || !isPackageName(m[1]!)) return undefined
  const name = m[1]!
  if (m[4] !== undefined) return m[4] === '-' || m[4] === '-rev' ? undefined : { kind: 'version', name, version: m[4] }
  if (m[2] === undefined) return { kind: 'packument', name }
  if (m[2] === '-rev') return { kind: 'revision', name, rest: m[3]! }
  // npm 7+ asks `/pkg/-/pkg-1.0.0.tgz`; unpublish deletes `/pkg/-/pkg-1.0.0.tgz/-rev/<rev>`.
  if (m[3]!.includes('/')) return { kind: 'revision', name, rest: m[3]! }
  return { kind: 'tarball', name, file: m[3]! }
}

/** The tarball's file name in a registry URL (`…/pkg/-/pkg-1.0.0.tgz` → `pkg-1.0.0.tgz`). */
export function tarballFile(url: string): string {
  const path = new URL(url, 'http://x/').pathname
  const file = path.slice(path.lastIndexOf('/') + 1)
  try {
    return decodeURIComponent(file)
  } catch {
    return file // a broken escape: the name as the root spelt it, which fails for its version alone
  }
}

/** `@scope/pkg` → `/@scope/pkg`, as npm's tarball paths spell it. */
export function tarballPath(name: string, file: string): string {
  return `/${name}/-/${encodeURIComponent(file)}`
}
