// What a site does when a link's hello tells it which namespaces the peer owns (docs/federation.md,
// "Ownership learnt late"): it records the claims, so publishes there are refused from now on, and sets
// aside what it published there before it knew, so the owner's values replace its own everywhere and
// the two sites converge. Nothing is lost: what is set aside stays stored and listed for the operator.
import type { Logger } from 'pino'
import { ownsAny } from '../hub/ownership.ts'
import type { AsideTag } from '../hub/model.ts'
import type { IndexedRepositoryStore } from '../hub/store/repository-store.ts'
import type { FederationState } from './state.ts'

export class OwnerClaims {
  /**
   * Claims looked through in this process (`site` and patterns): a hello at every exchange looks once.
   * Per process, not in the index: a restart looks again, so a stop between the record and the look
   * misses nothing.
   */
  readonly #looked = new Set<string>()

  constructor(private readonly d: { site: string; repos: IndexedRepositoryStore; state: FederationState; log: Logger }) {}

  /** Records that `peer` owns `claims` (patterns its link carries), then sets aside what this site published there. */
  async learn(peer: string, claims: readonly string[]): Promise<void> {
    // Recorded first: a publish that starts now is refused, so none lands after the look below.
    await this.d.state.setOwners(peer, [...claims])
    const key = `${peer}\n${JSON.stringify(claims)}`
    if (claims.length === 0 || this.#looked.has(key)) return
    let withdrawn = 0
    for (const state of await this.d.repos.wholeState((name) => ownsAny(claims, name))) {
      const r = await this.d.repos.setAside(state.name, peer)
      withdrawn += r.withdrawn
      for (const a of r.aside) this.d.log.warn({ repo: a.repo, tag: a.tag, digest: `sha256:${a.image.id}`, owner: peer }, `${a.repo}:${a.tag}, published here, is owned by ${peer}: set aside for the owner's value (listed in status; publish it again where this site owns)`)
    }
    // The peer's log is read again from its start (and ours sent again): its values, which this site
    // skipped while it held its own newer ones (values or deletes), now replace what was withdrawn.
    if (withdrawn > 0) await this.d.state.setVector(peer, { store: '', rev: 0 })
    this.#looked.add(key)
  }
}

/** A value this site set aside when it learnt that `owner` owns its repository, as status lists it. */
export interface OwnershipConflict {
  repo: string
  tag: string
  digest: string
  size: number
  publishedAt: string
  setAsideAt: string
  owner: string
}

const conflictOf = (a: AsideTag): OwnershipConflict => ({ repo: a.repo, tag: a.tag, digest: `sha256:${a.image.id}`, size: a.image.size, publishedAt: a.publishedAt, setAsideAt: a.setAsideAt, owner: a.owner })

/**
 * The values this site set aside when it learnt that another site owns their repository
 * (docs/federation.md, "Ownership learnt late"): what an operator needs to publish one again.
 */
export function ownershipConflicts(repos: IndexedRepositoryStore): OwnershipConflict[] {
  return repos.asideTags().map(conflictOf)
}

/**
 * Dismisses the ownership conflicts of `repo`'s `tag`, in one index commit: no longer listed, and the
 * image an ordinary orphan from now on (collected a grace later unless something else references it).
 * The values dismissed; 404 GW_ERR_NO_OWNERSHIP_CONFLICT, nothing changed, when there is none.
 */
export async function dismissOwnershipConflict(repos: IndexedRepositoryStore, repo: string, tag: string): Promise<OwnershipConflict[]> {
  return (await repos.dismissAside(repo, tag)).map(conflictOf)
}

/** The ownership conflicts as a service: listed, and dismissed by an operator (admin API, admin page). */
export class OwnershipConflicts {
  constructor(private readonly d: { repos: IndexedRepositoryStore; log: Logger }) {}

  list(): OwnershipConflict[] {
    return ownershipConflicts(this.d.repos)
  }

  async dismiss(repo: string, tag: string): Promise<OwnershipConflict[]> {
    const dismissed = await dismissOwnershipConflict(this.d.repos, repo, tag)
    for (const c of dismissed) this.d.log.info({ repo: c.repo, tag: c.tag, digest: c.digest, owner: c.owner }, `${c.repo}:${c.tag}: ownership conflict dismissed; its blob may be collected once store.collect.grace has passed`)
    return dismissed
  }
}
