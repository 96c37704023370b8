// What each synchronized repository is doing, for GET /api/v1/federation/status, `fedgate repos list`
// and /health. In memory: after a restart every repository starts queued and its first sync sets it.
import type { Clock } from '../../gateway/util/clock.ts'
import type { RepoName } from '../hub/model.ts'

export const repoSyncStates = ['queued', 'syncing', 'in-sync', 'failing'] as const
export type RepoSyncState = (typeof repoSyncStates)[number]

export interface RepoStatus {
  name: RepoName
  state: RepoSyncState
  /** The local revision of the snapshot served (0: none yet). */
  revision: number
  /** The upstream revision that snapshot was built from. */
  upstreamRevision?: number
  bytesDone: number
  bytesTotal: number
  /** Why the last attempt failed (state failing). */
  error?: string
  /** When the next attempt runs (state failing), ISO time. */
  nextTry?: string
  /** Consecutive failures (drives the backoff). */
  failures: number
  lastSync?: string
  /** The newest upstream revision the change stream announced for it (absent while polling). */
  announced?: number
}

export class SyncStatus {
  readonly #repos = new Map<RepoName, RepoStatus>()
  constructor(private readonly clock: Clock) {}

  get(name: RepoName): RepoStatus {
    let s = this.#repos.get(name)
    if (!s) {
      s = { name, state: 'queued', revision: 0, bytesDone: 0, bytesTotal: 0, failures: 0 }
      this.#repos.set(name, s)
    }
    return s
  }

  has(name: RepoName): boolean {
    return this.#repos.has(name)
  }

  forget(name: RepoName): void {
    this.#repos.delete(name)
  }

  syncing(name: RepoName, bytesTotal = 0, bytesDone = 0): void {
    Object.assign(this.get(name), { state: 'syncing', bytesTotal, bytesDone })
  }

  progress(name: RepoName, bytes: number): void {
    const s = this.get(name)
    // A refused resume starts a blob again: never report more than the total.
    s.bytesDone = Math.min(s.bytesDone + bytes, s.bytesTotal)
  }

  inSync(name: RepoName, revision: number, upstreamRevision: number | undefined): void {
    const s = this.get(name)
    Object.assign(s, { state: 'in-sync', revision, upstreamRevision, failures: 0, bytesDone: s.bytesTotal })
    s.lastSync = new Date(this.clock.now()).toISOString()
    delete s.error
    delete s.nextTry
  }

  failing(name: RepoName, reason: string, retryAt: number): void {
    const s = this.get(name)
    s.state = 'failing'
    s.failures++
    s.error = reason
    s.nextTry = new Date(retryAt).toISOString()
  }

  /** The change stream announced a commit of `name` at the upstream's `revision`. */
  announce(name: RepoName, revision: number): void {
    const s = this.get(name)
    if (revision > (s.announced ?? 0)) s.announced = revision
  }

  /** Upstream revisions the served snapshot is behind the newest announced (0 when none is known). */
  behind(name: RepoName): number {
    const s = this.#repos.get(name)
    if (s?.announced === undefined) return 0
    return Math.max(0, s.announced - (s.upstreamRevision ?? 0))
  }

  list(): RepoStatus[] {
    return [...this.#repos.values()].sort((a, b) => a.name.localeCompare(b.name))
  }

  /** The public view (docs/protocol.md, federation/status). */
  view(): Record<string, unknown>[] {
    return viewOf(this.list())
  }

  counts(): Record<RepoSyncState, number> {
    return countsOf(this.#repos.values())
  }
}

/** Repositories' statuses as federation/status shows them (also the leader's, at a process that follows it). */
export function viewOf(repos: readonly RepoStatus[]): Record<string, unknown>[] {
  return repos.map(({ failures: _f, announced: _a, ...s }) => s)
}

export function countsOf(repos: Iterable<RepoStatus>): Record<RepoSyncState, number> {
  const out: Record<RepoSyncState, number> = { queued: 0, syncing: 0, 'in-sync': 0, failing: 0 }
  for (const s of repos) out[s.state]++
  return out
}
