// What the admin page shows, in one JSON answer read every second: /health's detail (the site, root,
// requests counter, each plugin's part: the forward cache's figures among them), the sync leader and the
// federation status of every repository and npm package.
import type { RootHealth } from '../../gateway/upstream/root-health.ts'
import type { SyncAdmin } from '../sync/index.ts'
import type { SyncLeader } from '../sync/leader.ts'
import type { RepoStatus, SyncStatus } from '../sync/status.ts'
import type { Clock } from '../../gateway/util/clock.ts'

export interface StateSources {
  siteHealth: () => Record<string, unknown>
  clock: Clock
  rootHealth?: RootHealth
  syncAdmin?: SyncAdmin
  syncLeader?: SyncLeader
  npmStatus?: SyncStatus
}

/** One row of the federation table: the status plus what an operator reads from it. */
function row(s: RepoStatus, now: number): Record<string, unknown> {
  const last = s.lastSync ? Date.parse(s.lastSync) : undefined
  return {
    name: s.name,
    state: s.state,
    revision: s.revision,
    upstreamRevision: s.upstreamRevision ?? null,
    bytesDone: s.bytesDone,
    bytesTotal: s.bytesTotal,
    bytesToFetch: Math.max(0, s.bytesTotal - s.bytesDone),
    failures: s.failures,
    error: s.error ?? null,
    nextTry: s.nextTry ?? null,
    lastSync: s.lastSync ?? null,
    // Lag as time: seconds since the last successful sync (revisions behind need the upstream's newest).
    lagSeconds: last === undefined ? null : Math.max(0, Math.round((now - last) / 1000)),
  }
}

export function adminState(d: StateSources): Record<string, unknown> {
  const now = d.clock.now()
  const health = d.siteHealth()
  // The leader's, also when another process leads the sync.
  const repos = d.syncAdmin?.repos() ?? []
  const tracked = new Set(repos.map((r) => r.name))
  // An entry added a moment ago has no status yet: it waits for its first sync.
  const waiting = (d.syncAdmin?.entries() ?? []).filter((e) => !e.includes('*') && !tracked.has(e))
  const tunnel = health.tunnel as { tunnels?: unknown[] } | undefined
  return {
    now: new Date(now).toISOString(),
    site: health.site,
    role: health.role,
    status: health.status,
    startedAt: health.startedAt,
    requests: health.requests,
    root: health.root,
    circuit: d.rootHealth ? d.rootHealth.breaker.state : null,
    forward: health.forward ?? null,
    // Whether this process leads the site's sync, and who holds the lease until when (no secret in it).
    leader: d.syncLeader?.view() ?? null,
    federation: d.syncAdmin
      ? {
          upstream: d.syncAdmin.upstream(),
          entries: d.syncAdmin.entries(),
          repos: [...repos.map((r) => row(r, now)), ...waiting.map((name) => ({ name, state: 'queued', revision: 0, upstreamRevision: null, bytesDone: 0, bytesTotal: 0, bytesToFetch: 0, failures: 0, error: null, nextTry: null, lastSync: null, lagSeconds: null }))],
        }
      : null,
    npm: d.npmStatus ? { packages: d.npmStatus.list().map((r) => row(r, now)) } : null,
    tunnels: tunnel?.tunnels ?? [],
    // The federation plugin's outgoing links and their state.
    links: ((health.federation as { links?: unknown } | undefined)?.links as unknown) ?? null,
    // Values this site set aside when it learnt that another site owns their repository.
    ownershipConflicts: ((health.federation as { ownershipConflicts?: unknown } | undefined)?.ownershipConflicts as unknown) ?? null,
  }
}
