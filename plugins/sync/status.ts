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
  #changes = 0
  constructor(private readonly clock: Clock) {}

  /** Bumped by every change below: what the status board compares instead of the whole list (status-board.ts). */
  get changes(): number {
    return this.#changes
  }

  /** Read-only: every change goes through a method here, which counts it. */
  get(name: RepoName): Readonly<RepoStatus> {
    return this.#entry(name)
  }

  #entry(name: RepoName): RepoStatus {
    let s = this.#repos.get(name)
    if (!s) {
      s = { name, state: 'queued', revision: 0, bytesDone: 0, bytesTotal: 0, failures: 0 }
      this.#repos.set(name, s)
      this.#changes++
    }
    return s
  }

  has(name: RepoName): boolean {
    return this.#repos.has(name)
  }

  forget(name: RepoName): void {
    if (this.#repos.delete(name)) this.#changes++
  }

  /** The snapshot the store already serves, shown before its first sync here. */
  served(name: RepoName, revision: number, upstreamRevision: number | undefined): void {
    Object.assign(this.#entry(name), { revision, upstreamRevision })
    this.#changes++
  }

  syncing(name: RepoName, bytesTotal = 0, bytesDone = 0): void {
    Object.assign(this.#entry(name), { state: 'syncing', bytesTotal, bytesDone })
    this.#changes++
  }

  progress(name: RepoName, bytes: number): void {
    const s = this.#entry(name)
    // A refused resume starts a blob again: never report more than the total.
    s.bytesDone = Math.min(s.bytesDone + bytes, s.bytesTotal)
    this.#changes++
  }

  inSync(name: RepoName, revision: number, upstreamRevision: number | undefined): void {
    const s = this.#entry(name)
    Object.assign(s, { state: 'in-sync', revision, upstreamRevision, failures: 0, bytesDone: s.bytesTotal })
    s.lastSync = new Date(this.clock.now()).toISOString()
    delete s.error
    delete s.nextTry
    this.#changes++
  }

  failing(name: RepoName, reason: string, retryAt: number): void {
    const s = this.#entry(name)
    s.state = 'failing'
    s.failures++
    s.error = reason
    s.nextTry = new Date(retryAt).toISOString()
    this.#changes++
  }

  /** The change stream announced a commit of `name` at the upstream's `revision`. */
  announce(name: RepoName, revision: number): void {
    const s = this.#entry(name)
    if (revision > (s.announced ?? 0)) {
      s.announced = revision
      this.#changes++
    }
  }

  /** Upstream revisions the served snapshot is behind the newest announced (0 when none is known). */
  behind(name: RepoName): number {
    const s = this.#repos.get(name)
    if (s?.announced === undefined) return 0
    return Math.max(0, s.announced - (s.upstreamRevision ?? 0))
  }

  list(): Readonly<RepoStatus>[] {
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
