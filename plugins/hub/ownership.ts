// Which site owns a repository (docs/federation.md, "Ownership"). A site owns what its `site.owns`
// patterns cover; the root also owns what no site it knows of claims. Sites it knows of are the peers
// of its links, which declare their own patterns when a link says hello (kept in the index under
// OWNERS_PREFIX), so a publish at the wrong site is refused naming the owner and changes nothing.
import { GatewayError } from '../../gateway/errors.ts'
import type { RepoName } from './model.ts'

/** Index keys: `fed/owners/<site>` → the patterns that site declared. */
export const OWNERS_PREFIX = 'fed/owners/'

/** Does `pattern` cover `name`? `*` is one segment, `**` (last) one or more. */
export function ownsMatches(pattern: string, name: RepoName): boolean {
  return segmentsMatch(pattern.split('/'), name.split('/'))
}

function segmentsMatch(p: string[], n: string[]): boolean {
  if (p.length === 0) return n.length === 0
  if (p[0] === '**') return n.length >= 1
  if (n.length === 0) return false
  return (p[0] === '*' || p[0] === n[0]) && segmentsMatch(p.slice(1), n.slice(1))
}

/** Does one of a site's `owns` patterns cover `name`? */
export function ownsAny(owns: readonly string[], name: RepoName): boolean {
  return owns.some((p) => ownsMatches(p, name))
}

/** Is there a name both patterns cover? */
export function patternsOverlap(a: string, b: string): boolean {
  const go = (x: string[], y: string[]): boolean => {
    if (x.length === 0 || y.length === 0) return x.length === 0 && y.length === 0
    if (x[0] === '**' || y[0] === '**') return true
    return (x[0] === '*' || y[0] === '*' || x[0] === y[0]) && go(x.slice(1), y.slice(1))
  }
  return go(a.split('/'), b.split('/'))
}

/** Can a link with these repository patterns carry some repository `claim` covers (a claim its hello may make)? */
export function linkCarries(patterns: readonly string[], claim: string): boolean {
  return firstOverlap(patterns, [claim]) !== undefined
}

/** The first pair of overlapping patterns between two lists, or undefined. */
export function firstOverlap(a: readonly string[], b: readonly string[]): [string, string] | undefined {
  for (const x of a) for (const y of b) if (patternsOverlap(x, y)) return [x, y]
  return undefined
}

export interface OwnerIndex {
  scan<T>(prefix: string): AsyncIterable<[string, T]>
}

export interface OwnershipSite {
  name: string
  role: 'root' | 'child'
  owns: readonly string[]
}

export class Ownership {
  constructor(
    private readonly site: OwnershipSite,
    private readonly index: OwnerIndex,
  ) {}

  /** Does the site take part in ownership (declares `site.owns`, or is the root)? A child that does not forwards writes, as before. */
  get declared(): boolean {
    return this.site.owns.length > 0
  }

  /** Synchronous: does this site's own list cover `name`? */
  ownsLocally(name: RepoName): boolean {
    return ownsAny(this.site.owns, name)
  }

  /** Sites this one knows of and the patterns each declared. */
  async known(): Promise<{ site: string; owns: string[] }[]> {
    const out: { site: string; owns: string[] }[] = []
    for await (const [key, owns] of this.index.scan<string[]>(OWNERS_PREFIX)) {
      const site = key.slice(key.indexOf(OWNERS_PREFIX) + OWNERS_PREFIX.length)
      if (site !== this.site.name) out.push({ site, owns })
    }
    return out
  }

  /** The owner of `name` as this site knows it: itself, another site, or unknown. */
  async ownerOf(name: RepoName): Promise<{ self: true } | { self: false; owner?: string }> {
    if (this.ownsLocally(name)) return { self: true }
    const other = (await this.known()).find((k) => k.owns.some((p) => ownsMatches(p, name)))
    if (other) return { self: false, owner: other.site }
    // The root owns what no site claims.
    return this.site.role === 'root' ? { self: true } : { self: false }
  }

  /** Throws GW_ERR_NOT_OWNER unless this site owns `name`. */
  async check(name: RepoName): Promise<void> {
    const o = await this.ownerOf(name)
    if (o.self) return
    throw new GatewayError('GW_ERR_NOT_OWNER', o.owner ? `${name} is owned by site ${o.owner}; publish there` : `${this.site.name} does not own ${name}`)
  }
}
