// The `sync` plugin (role child): keeps the repositories listed in `repositories:` (and those added at
// run time) synchronized from the upstream into this site's store, which the hub plugin serves from.
import { GatewayError } from '../../gateway/errors.ts'
import { section, type GatewayPlugin } from '../../gateway/plugin-api.ts'
import { BlobFetcher } from './blob-fetcher.ts'
import { syncCommands } from './commands.ts'
import { SyncEngine } from './engine.ts'
import { FeedPositions } from './feed-positions.ts'
import { repositoriesSpec, syncSpec } from './options.ts'
import { storeSpec } from '../hub/options.ts'
import { RepoSet } from './repo-set.ts'
import { syncRoutes } from './routes.ts'
import { LiveSubscription } from '../hub/stream-subscription.ts'
import { folderId, SyncLeader, type LeaderView } from './leader.ts'
import { selected as covered } from './patterns.ts'
import { SyncScheduler } from './scheduler.ts'
import { countsOf, SyncStatus, viewOf, type RepoStatus } from './status.ts'
import { StatusBoard } from './status-board.ts'
import { syncMetrics } from './metrics.ts'
import { Upstream } from './upstream.ts'

declare module '../../gateway/plugin-api.ts' {
  interface ServiceMap {
    syncLeader: SyncLeader
    syncScheduler: SyncScheduler
    syncEngine: SyncEngine
    syncStatus: SyncStatus
    blobFetcher: BlobFetcher
    syncAdmin: SyncAdmin
  }
}

/** The `syncAdmin` service: what an operator's page shows (the leader's, in every process) and does (plugins/admin). */
export interface SyncAdmin {
  add(name: string): Promise<boolean>
  entries(): readonly string[]
  upstream(): Record<string, unknown>
  repos(): readonly RepoStatus[]
}

/** The sync as a process shows it: its own while it leads, else the leader's (status-board.ts). */
interface Shown {
  entries: readonly string[]
  upstream: Record<string, unknown>
  repos: readonly RepoStatus[]
  bytesReceived: number
  /** Present when the leader's: its name and when it wrote it. */
  from?: { holder: string; at: string }
}

/** The lease as /health shows it beside `leader` (whether this process leads). */
function leaseView(leader: SyncLeader): Omit<LeaderView, 'leading'> {
  const { leading: _, ...lease } = leader.view()
  return lease
}

export const syncPlugin: GatewayPlugin = {
  name: 'sync',
  options: { repositories: repositoriesSpec, sync: syncSpec },
  enabled: (config) => config.site.role === 'child',
  commands: syncCommands,
  needs: ['repositoryStore', 'blobStore', 'index', 'authorize', 'rootClient'],
  async setup({ config, log, clock, rootHealth, services }) {
    const o = section(config, 'sync', syncSpec)
    const repos = services.need('repositoryStore')
    const blobs = services.need('blobStore')
    const index = services.need('index')
    const authorize = services.need('authorize')
    const rootClient = services.need('rootClient')

    // Replaced each time this process starts leading: losing the lease aborts the downloads in flight.
    let run = new AbortController()
    const upstream = new Upstream(rootClient, rootHealth, {
      requestTimeout: o.requestTimeout,
      blobIdleTimeout: o.blobIdleTimeout,
      get signal() {
        return run.signal
      },
    })
    const status = new SyncStatus(clock)
    const set = await new RepoSet(section(config, 'repositories', repositoriesSpec), index).load()
    // One blob folder, one leader, one status board, one set of feed positions: each keyed by the folder's id.
    const folder = await folderId(blobs.dir)
    const positions = new FeedPositions(index, `sync/feed/${folder}/`)
    // Sync, collection and the change stream run in one process per blob folder (leader.ts).
    const leader = new SyncLeader(index, `lease/sync/${folder}`, { ttl: o.lease, log })
    // A partial download in the shared folder is written only while this process's lease runs.
    const fetcher = new BlobFetcher(blobs, upstream, o.concurrency, () => leader.holds())
    // Another process's publish (a worker, `fedgate publish`) pins its blob where this one cannot see it;
    // on a Redis index, so does another node's sync, whose downloads may take up to partialMaxAge.
    const collectGrace = Math.max(section(config, 'store', storeSpec).collect.grace, index.kind === 'redis' ? o.partialMaxAge : 0)
    const engine = new SyncEngine({ repos, blobs, upstream, fetcher, status, log, clock, collect: o.collect, partialMaxAge: o.partialMaxAge, collectGrace, positions })
    const scheduler = new SyncScheduler({ engine, status, set, upstream, repos, clock, log }, { interval: o.interval, retry: o.retry, repoConcurrency: o.repoConcurrency })
    const newLive = () =>
      o.stream.enabled
        ? new LiveSubscription(
            {
              client: rootClient,
              ca: config.root?.ca,
              request: (name) => scheduler.request(name),
              ok: (name) => status.get(name).state === 'in-sync',
              selected: (name) => covered(set.entries(), name),
              all: () => scheduler.selected(),
              upToDate: (name, store, revision) => engine.upToDate(name, store, revision),
              announced: (name, revision) => status.announce(name, revision),
              clock,
              log: log.child({ component: 'stream' }),
            },
            o.stream,
          )
        : undefined
    let live: LiveSubscription | undefined
    await leader.on({
      async lead() {
        run = new AbortController()
        await set.load() // entries another process added at run time
        await engine.restore() // where the last leader (or this process before a restart) left each repository in the feed
        await scheduler.start()
        engine.startCollecting()
        live = newLive()
        // Only a site with something to synchronize subscribes; the first entry added at run time starts it.
        if (set.entries().length > 0) live?.start()
      },
      async follow() {
        live?.close()
        live = undefined
        engine.stopCollecting()
        const stopped = scheduler.close()
        run.abort(new GatewayError('GW_ERR_STOPPING'))
        await stopped
      },
    })
    await leader.start()
    const streamHealth = () => live?.health() ?? { state: 'off' }
    /** Adds an entry (kept in the index) and starts its sync at once; true if it was new. */
    const addRepository = async (name: string): Promise<boolean> => {
      const added = await set.add(name)
      live?.start()
      // Starts at once; callers do not wait for the bytes.
      void scheduler.syncAll()
      return added
    }
    const upstreamView = () => ({ url: rootClient.origin + rootClient.basePath, stream: streamHealth(), leader: leader.leading })
    const own = () => ({ entries: set.entries(), upstream: upstreamView(), repos: status.list(), bytesReceived: fetcher.stats.bytesReceived })
    // Each part of own() by what tells it changed: counters for the long lists, the stream's few fields themselves.
    const ownVersion = () => [status.changes, set.changes, fetcher.stats.bytesReceived, ...Object.values(streamHealth())]
    const board = new StatusBoard(index, `status/sync/${folder}`, { leading: () => leader.leading, holder: leader.holder, snapshot: own, version: ownVersion, clock })
    board.start()
    const shown = (): Shown => {
      const s = board.leaders
      if (s === undefined) return own()
      return { entries: s.entries, upstream: { ...s.upstream, leader: false }, repos: s.repos, bytesReceived: s.bytesReceived, from: { holder: s.holder, at: new Date(s.at).toISOString() } }
    }
    const statusBody = () => {
      const s = shown()
      return { entries: s.entries, upstream: s.upstream, repos: viewOf(s.repos), ...(s.from ? { statusFrom: s.from } : {}) }
    }

    return {
      routes: syncRoutes({ scheduler, set, authorize, leading: () => leader.leading, add: addRepository, statusBody }),
      provides: {
        syncLeader: leader,
        syncScheduler: scheduler,
        syncEngine: engine,
        syncStatus: status,
        blobFetcher: fetcher,
        syncAdmin: { add: addRepository, entries: () => shown().entries, upstream: () => shown().upstream, repos: () => shown().repos } satisfies SyncAdmin,
      },
      health: () => {
        const s = shown()
        const stream = (s.upstream.stream as Record<string, unknown> | undefined) ?? { state: 'off' }
        return { leader: leader.leading, lease: leaseView(leader), entries: s.entries.length, ...countsOf(s.repos), bytesReceived: s.bytesReceived, stream, ...(s.from ? { statusFrom: s.from } : {}) }
      },
      metrics: (m) => syncMetrics(m, { status, set, fetcher, live: () => live, leader, clock }),
      async close() {
        board.stop()
        // Stops this process's syncs (when it leads) and hands the lease on at once.
        await leader.close()
      },
    }
  },
}
