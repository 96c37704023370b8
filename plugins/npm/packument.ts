// Packuments as a child keeps and serves them: the root's document cut to the versions kept, stored
// beside a map of tarball file → blob id; served with tarball URLs on this site's public URL, in full
// or abbreviated (`application/vnd.npm.install-v1+json`) form.
import { GatewayError } from '../../gateway/errors.ts'
import { tarballFile, tarballPath } from './names.ts'

export interface VersionDoc {
  name: string
  version: string
  dist: { tarball: string; integrity?: string; shasum?: string; [k: string]: unknown }
  [k: string]: unknown
}

export interface Packument {
  name: string
  'dist-tags': Record<string, string>
  versions: Record<string, VersionDoc>
  time?: Record<string, string>
  modified?: string
  [k: string]: unknown
}

/** What a sync stores as one blob: the packument and where each version's tarball is. */
export interface StoredPackument {
  packument: Packument
  /** tarball file name → blob id (sha256) and size. */
  tarballs: Record<string, { id: string; size: number; integrity: string }>
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/**
 * The root's parsed answer as a packument, or GW_ERR_ROOT_BAD_RESPONSE saying what is wrong: an object
 * whose `versions` and `dist-tags`, when present, are objects. What each version holds is npm's to judge.
 */
export function asPackument(doc: unknown, what: string): Packument {
  const wrong = problem(doc)
  if (wrong !== undefined) throw new GatewayError('GW_ERR_ROOT_BAD_RESPONSE', `${what} is not a packument (${wrong})`)
  return doc as Packument
}

function problem(doc: unknown): string | undefined {
  if (!isObject(doc)) return `it is ${doc === null ? 'null' : Array.isArray(doc) ? 'an array' : `a ${typeof doc}`}, not an object`
  for (const f of ['versions', 'dist-tags']) if (doc[f] !== undefined && !isObject(doc[f])) return `its ${f} is not an object`
  return undefined
}

/** The root's parsed version document (`GET /pkg/1.0.0`), or GW_ERR_ROOT_BAD_RESPONSE: an object whose `dist`, when present, is one. */
export function asVersionDoc(doc: unknown, what: string): VersionDoc {
  const wrong = !isObject(doc) ? problem(doc) : doc.dist !== undefined && !isObject(doc.dist) ? 'its dist is not an object' : undefined
  if (wrong !== undefined) throw new GatewayError('GW_ERR_ROOT_BAD_RESPONSE', `${what} is not a version document (${wrong})`)
  return doc as VersionDoc
}

/** The version `spec` names in `p`, a version or a dist-tag (as registries resolve `GET /pkg/<spec>`). */
export function versionOf(p: Packument, spec: string): VersionDoc | undefined {
  const versions = p.versions ?? {}
  const tags = p['dist-tags'] ?? {}
  const version = Object.hasOwn(versions, spec) ? spec : Object.hasOwn(tags, spec) ? tags[spec]! : undefined
  return version !== undefined && Object.hasOwn(versions, version) ? versions[version] : undefined
}

/** Versions kept: all, or the newest `newest` by publish time (then by their order in the document). */
export function keptVersions(p: Packument, newest: number | undefined): string[] {
  const all = Object.keys(p.versions ?? {})
  if (newest === undefined || all.length <= newest) return all
  const at = (v: string) => Date.parse(p.time?.[v] ?? '') || 0
  return all
    .map((v, i) => ({ v, i }))
    .sort((a, b) => at(b.v) - at(a.v) || b.i - a.i)
    .slice(0, newest)
    .map((x) => x.v)
}

/** The root's packument cut to `versions`: dist-tags and times naming dropped versions go too. */
export function cutPackument(p: Packument, versions: string[]): Packument {
  const keep = new Set(versions)
  const out: Packument = { ...p, versions: {}, 'dist-tags': {} }
  delete out._attachments
  delete out._rev
  for (const v of versions) out.versions[v] = p.versions[v]!
  for (const [tag, v] of Object.entries(p['dist-tags'] ?? {})) if (keep.has(v)) out['dist-tags'][tag] = v
  if (p.time) out.time = Object.fromEntries(Object.entries(p.time).filter(([k]) => keep.has(k) || k === 'created' || k === 'modified'))
  return out
}

/**
 * Every tarball URL pointed at `base` (this site's public URL, no trailing slash), under `name`, the
 * package asked for: where this site serves or forwards its tarballs, whatever name the document holds.
 */
export function rewriteTarballs(p: Packument, base: string, name: string): Packument {
  const versions: Record<string, VersionDoc> = {}
  for (const [v, doc] of Object.entries(p.versions ?? {})) versions[v] = rewriteTarball(doc, base, name)
  return { ...p, versions }
}

/** One version's document with its tarball URL pointed at `base`, as rewriteTarballs does for each. */
export function rewriteTarball(doc: VersionDoc, base: string, name: string): VersionDoc {
  if (!doc?.dist?.tarball) return doc
  return { ...doc, dist: { ...doc.dist, tarball: base + tarballPath(name, tarballFile(doc.dist.tarball)) } }
}

const CORGI_FIELDS = ['name', 'version', 'deprecated', 'dependencies', 'optionalDependencies', 'devDependencies', 'bundleDependencies', 'bundledDependencies', 'peerDependencies', 'peerDependenciesMeta', 'bin', 'directories', 'dist', 'engines', 'os', 'cpu', 'funding', 'license', '_hasShrinkwrap', 'hasInstallScript', 'acceptDependencies'] as const

/** The abbreviated form npm asks for with `Accept: application/vnd.npm.install-v1+json`. */
export function abbreviate(p: Packument): Record<string, unknown> {
  const versions: Record<string, Record<string, unknown>> = {}
  for (const [v, doc] of Object.entries(p.versions ?? {})) {
    const out: Record<string, unknown> = {}
    for (const f of CORGI_FIELDS) if (doc[f] !== undefined) out[f] = doc[f]
    versions[v] = out
  }
  return { name: p.name, modified: p.time?.modified ?? p.modified ?? new Date(0).toISOString(), 'dist-tags': p['dist-tags'] ?? {}, versions }
}

export const CORGI = 'application/vnd.npm.install-v1+json'

/** Does the client prefer the abbreviated form (npm's install requests do)? */
export function wantsAbbreviated(accept: string | undefined): boolean {
  return Boolean(accept && accept.includes(CORGI))
}
