// The `sync` plugin (role child): keeps the repositories listed in `repositories:` (and those added at
// run time) synchronized from the upstream into this site's store, which the hub plugin serves from.
import { GatewayError } from '../../gateway/errors.ts'
import { section, type GatewayPlugin } from '../../gateway/plugin-api.ts'
import type { RootClient } from '../../gateway/upstream/root-client.ts'
import type { BlobStore, RepositoryStore } from '../hub/model.ts'
import { BlobFetcher } from './blob-fetcher.ts'
import { syncCommands } from './commands.ts'
import { SyncEngine } from './engine.ts'
import { repositoriesSpec, syncSpec } from './options.ts'
import { RepoSet, type KeyValueIndex } from './repo-set.ts'
import type { Authorize } from '../hub/auth.ts'
import { syncRoutes } from './routes.ts'
import { LiveSubscription } from './live.ts'
import { selected as covered } from './patterns.ts'
import { SyncScheduler } from './scheduler.ts'
import { SyncStatus } from './status.ts'
import { syncMetrics } from './metrics.ts'
import { Upstream } from './upstream.ts'

export const syncPlugin: GatewayPlugin = {
  name: 'sync',
  options: { repositories: repositoriesSpec, sync: syncSpec },
  enabled: (config) => config.site.role === 'child',
  commands: syncCommands,
  async setup({ config, log, clock, rootHealth, services }) {
    const o = section(config, 'sync', syncSpec)
    const repos = services.need<RepositoryStore>('repositoryStore')
    const blobs = services.need<BlobStore>('blobStore')
    const index = services.need<KeyValueIndex & { kind: 'embedded' | 'redis' }>('index')
    const authorize = services.need<Authorize>('authorize')
    const rootClient = services.need<RootClient>('rootClient')

    const stop = new AbortController()
    const upstream = new Upstream(rootClient, rootHealth, { requestTimeout: o.requestTimeout, blobIdleTimeout: o.blobIdleTimeout, signal: stop.signal })
    const fetcher = new BlobFetcher(blobs, upstream, o.concurrency)
    const status = new SyncStatus(clock)
    const set = await new RepoSet(section(config, 'repositories', repositoriesSpec), index).load()
    const engine = new SyncEngine({ repos, blobs, upstream, fetcher, status, log, collect: o.collect, partialMaxAge: o.partialMaxAge, collectGrace: index.kind === 'redis' ? o.partialMaxAge : 0 })
    const scheduler = new SyncScheduler({ engine, status, set, upstream, repos, clock, log }, { interval: o.interval, retry: o.retry, repoConcurrency: o.repoConcurrency })
    await scheduler.start()
    const live = o.stream.enabled
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
    // Only a site with something to synchronize subscribes; the first entry added at run time starts it.
    if (set.entries().length > 0) live?.start()
    const streamHealth = () => live?.health() ?? { state: 'off' }

    return {
      routes: syncRoutes({ scheduler, status, set, authorize, added: () => live?.start(), upstream: () => ({ url: rootClient.origin + rootClient.basePath, stream: streamHealth() }) }),
      provides: { syncScheduler: scheduler, syncEngine: engine, syncStatus: status, blobFetcher: fetcher },
      health: () => ({ entries: set.entries().length, ...status.counts(), bytesReceived: fetcher.stats.bytesReceived, stream: streamHealth() }),
      metrics: (m) => syncMetrics(m, { status, set, fetcher, live, clock }),
      async close() {
        live?.close()
        stop.abort(new GatewayError('GW_ERR_STOPPING'))
        await scheduler.close()
      },
    }
  },
}
