// What federation keeps in the site's index: revision vectors (how far each peer's log is applied
// here), the namespaces each known site declared, conflicts decided, and each link's last status.
import type { Change, RepoState } from '../hub/model.ts'
import { OWNERS_PREFIX } from '../hub/ownership.ts'
import { heldVersion, type Conflict } from '../hub/store/versions.ts'
import type { VectorEntry } from './wire.ts'

export interface StateIndex {
  get<T>(key: string): Promise<T | undefined>
  set(key: string, value: unknown): Promise<void>
  scan<T>(prefix: string): AsyncIterable<[string, T]>
}

const VECTOR = 'fed/vector/'
const CONFLICT = 'fed/conflict/'
const STATUS = 'fed/status/'
/** `fed/upload-scope/<peer>` → what the last upload to that peer carried (link-engine.ts). */
const UPLOAD_SCOPE = 'fed/upload-scope/'
/** `fed/link-site/<link id>` → the site a link's token speaks for (its first hello's). */
const LINK_SITE = 'fed/link-site/'

export class FederationState {
  constructor(private readonly index: StateIndex) {}

  vector(site: string): Promise<VectorEntry | undefined> {
    return this.index.get<VectorEntry>(VECTOR + site)
  }

  async setVector(site: string, v: VectorEntry): Promise<void> {
    await this.index.set(VECTOR + site, v)
  }

  /** Every vector entry back to the start: after repositories were forgotten, the next exchanges read again. */
  async resetVectors(): Promise<void> {
    for await (const [key] of this.index.scan<VectorEntry>(VECTOR)) await this.index.set(key.slice(key.indexOf(VECTOR)), { store: '', rev: 0 })
  }

  /**
   * Binds a link to the site its token speaks for, at its first call: later calls must name the same
   * site, and no other link may speak for it. Otherwise any token could claim another site's name, and
   * with it rewrite that site's declared namespaces or its place in this site's log. Returns the site
   * bound to the link before, when it is another one; or the link already bound to `site`.
   */
  async bindLink(linkId: string, site: string, active: (linkId: string) => Promise<boolean>): Promise<{ boundTo?: string; otherLink?: string }> {
    const bound = await this.index.get<string>(LINK_SITE + linkId)
    if (bound !== undefined) return bound === site ? {} : { boundTo: bound }
    for await (const [key, other] of this.index.scan<string>(LINK_SITE)) {
      const id = key.slice(key.indexOf(LINK_SITE) + LINK_SITE.length)
      // A disabled link no longer speaks for its site: a new link may take its place.
      if (other === site && (await active(id))) return { otherLink: id }
    }
    await this.index.set(LINK_SITE + linkId, site)
    return {}
  }

  /** What the last upload to `peer` carried (its patterns and delete action), as a text to compare. */
  uploadScope(peer: string): Promise<string | undefined> {
    return this.index.get<string>(UPLOAD_SCOPE + peer)
  }

  async setUploadScope(peer: string, scope: string): Promise<void> {
    await this.index.set(UPLOAD_SCOPE + peer, scope)
  }

  async setOwners(site: string, owns: string[]): Promise<void> {
    const held = await this.index.get<string[]>(OWNERS_PREFIX + site)
    if (JSON.stringify(held) !== JSON.stringify(owns)) await this.index.set(OWNERS_PREFIX + site, owns)
  }

  /** Kept per tag, the latest decision: both sides of a link record the same one. */
  async recordConflicts(conflicts: readonly Conflict[]): Promise<void> {
    for (const c of conflicts) await this.index.set(`${CONFLICT}${c.repo}:${c.tag}`, c)
  }

  async conflicts(): Promise<Conflict[]> {
    const out: Conflict[] = []
    for await (const [, c] of this.index.scan<Conflict>(CONFLICT)) out.push(c)
    return out.sort((a, b) => `${a.repo}:${a.tag}`.localeCompare(`${b.repo}:${b.tag}`))
  }

  async saveStatus(key: string, status: unknown): Promise<void> {
    await this.index.set(STATUS + key, status)
  }

  async statuses(): Promise<Record<string, unknown>[]> {
    const out: Record<string, unknown>[] = []
    for await (const [, s] of this.index.scan<Record<string, unknown>>(STATUS)) out.push(s)
    return out
  }
}

/** A repository's state as the changes that make it, tombstones included (a snapshot exchange). */
export function changesOfState(state: Pick<RepoState, 'name' | 'tags' | 'images' | 'versions' | 'revision'>, site: string): Change[] {
  const out: Change[] = []
  const tags = new Set([...Object.keys(state.versions ?? {}), ...Object.keys(state.tags)])
  for (const tag of [...tags].sort()) {
    const v = heldVersion(state as RepoState, tag, site)!
    const base = { rev: state.revision, repo: state.name, tag, at: v.at, origin: v.origin, originRev: v.originRev, ...(v.prev !== undefined ? { prev: v.prev } : {}), ...(v.aside ? { aside: true as const } : {}) }
    const id = state.tags[tag]
    if (v.deleted || id === undefined) out.push({ ...base, op: 'untag' })
    else out.push({ ...base, op: 'tag', image: state.images[id] })
  }
  return out
}
