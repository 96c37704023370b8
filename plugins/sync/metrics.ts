// The sync plugin's metrics, read from its status and fetcher when scraped.
import type { Metrics } from '../../gateway/metrics/registry.ts'
import type { Clock } from '../../gateway/util/clock.ts'
import type { BlobFetcher } from './blob-fetcher.ts'
import type { SyncLeader } from './leader.ts'
import type { LiveSubscription } from '../hub/stream-subscription.ts'
import type { RepoSet } from './repo-set.ts'
import { isPattern } from './patterns.ts'
import { repoSyncStates, type SyncStatus } from './status.ts'

export function syncMetrics(m: Metrics, d: { status: SyncStatus; set: RepoSet; fetcher: BlobFetcher; live: () => LiveSubscription | undefined; leader: SyncLeader; clock: Clock }): void {
  const { status, set, fetcher, live, leader, clock } = d
  m.gauge('fedgate_sync_leader', "1 while this process holds the site's sync lease (it syncs, collects and follows the change stream), else 0", [], () => (leader.leading ? 1 : 0))
  m.gauge('fedgate_sync_repositories', 'Synchronized repositories, by state', ['state'], () => {
    const counts = status.counts()
    return repoSyncStates.map((s) => [{ state: s }, counts[s]] as const)
  })
  m.counter('fedgate_sync_received_bytes_total', 'Bytes of blobs received from the upstream', [], () => fetcher.stats.bytesReceived)
  m.counter('fedgate_sync_downloads_total', 'Blob downloads from the upstream (resumed ones included)', [], () => fetcher.stats.downloads)
  // Per repository only for the names listed (in the YAML or added at run time), not those a pattern
  // covers: the operator chose each one, so the number of series stays bounded.
  const named = () => set.entries().filter((e) => !isPattern(e) && status.has(e))
  m.gauge('fedgate_sync_repository_revisions_behind', 'Upstream revisions announced on the change stream that the served snapshot does not hold yet (listed repositories)', ['repository'], () => named().map((r) => [{ repository: r }, status.behind(r)] as const))
  m.gauge('fedgate_sync_repository_seconds_since_success', 'Seconds since the last successful sync (listed repositories that had one)', ['repository'], () =>
    named().flatMap((r) => {
      const last = status.get(r).lastSync
      return last === undefined ? [] : [[{ repository: r }, Math.max(0, (clock.now() - Date.parse(last)) / 1000)] as const]
    }),
  )
  // Present only in the process that leads the site's sync (leader.ts); elsewhere 0.
  m.gauge('fedgate_sync_stream_live', '1 while the change stream from the upstream is live, 0 while this site polls (or does not lead its sync)', [], () => (live()?.state === 'live' ? 1 : 0))
}
