// The `npm` plugin (role child): the npm registry protocol in front of a real npm registry as the root
// (Verdaccio, say). Packages listed in `npm.packages` are synchronized into the site's store through
// the hub's snapshot machinery and served from it, also while the root is down; every other package
// is fetched from the root with the site's key, over the plugin's own connections, one fetch per package
// at a time and within npm.proxy's bounds. Reuses the hub's stores and blob responder and the
// sync plugin's scheduler (backoff, on-demand runs), status and collection.
import { setMaxListeners } from 'node:events'
import { GatewayError } from '../../gateway/errors.ts'
import { section, type GatewayPlugin, type RequestContext } from '../../gateway/plugin-api.ts'
import { createRootClient } from '../../gateway/upstream/root-client.ts'
import { BlobResponder } from '../hub/routes/blob-response.ts'
import { DownloadSlots } from '../sync/blob-fetcher.ts'
import { selected } from '../sync/patterns.ts'
import { reason, SyncScheduler } from '../sync/scheduler.ts'
import { forwardSpec } from '../forward/options.ts'
import { repoSyncStates, SyncStatus } from '../sync/status.ts'
import { adminSyncRoute } from './admin-route.ts'
import { ENCODED_SCOPED, packageOf, repoOf } from './names.ts'
import { newestCount, npmSpec } from './options.ts'
import { PackageSync } from './package-sync.ts'
import { ProxiedPackuments } from './proxied-packuments.ts'
import { ProxyBudget } from './proxy-budget.ts'
import { RegistryUpstream } from './registry-upstream.ts'
import { npmRoutes } from './routes.ts'

declare module '../../gateway/plugin-api.ts' {
  interface ServiceMap {
    npmScheduler: SyncScheduler
    npmStatus: SyncStatus
  }
}

export const npmPlugin: GatewayPlugin = {
  name: 'npm',
  options: { npm: npmSpec },
  encodedSlashAllowed: ENCODED_SCOPED,
  needs: ['repositoryStore', 'blobStore'],
  uses: ['rootClient', 'httpCache', 'syncLeader', 'syncEngine', 'forward', 'authorize'],
  enabled: (config) => config.site.role === 'child' && Boolean(section(config, 'npm', npmSpec)?.enabled),
  validate(config, fail) {
    const o = section(config, 'npm', npmSpec)
    o?.packages.forEach((p, i) => {
      if (!p.endsWith('/*') && !repoOf(p)) fail(['npm', 'packages', i], `${p} cannot be stored: its repository name would be over 64 characters (capitals and ~'!()* count twice or three times)`)
    })
  },
  async setup({ config, log, clock, rootHealth, services }) {
    const o = section(config, 'npm', npmSpec)!
    const repos = services.need('repositoryStore')
    const blobs = services.need('blobStore')
    const rootClient = services.get('rootClient')
    const stop = new AbortController()
    // Every request to the root listens on it until it ends: dozens at once are normal, not a leak.
    setMaxListeners(0, stop.signal)
    const upstreamOptions = { requestTimeout: o.requestTimeout, signal: stop.signal, maxPackumentBytes: o.maxPackumentBytes }
    const upstream = rootClient ? new RegistryUpstream(rootClient, rootHealth, upstreamOptions) : undefined
    // Clients' packuments get connections of their own: a flood of them cannot take those sync uses.
    const proxyClient = config.root && rootClient ? createRootClient({ ...config.root, connectTimeout: 5000, headersTimeout: o.requestTimeout, connections: o.proxy.concurrency }) : undefined
    const proxied = proxyClient ? new ProxiedPackuments(new RegistryUpstream(proxyClient, rootHealth, upstreamOptions), new ProxyBudget(o.proxy, clock), services.get('httpCache')) : undefined
    const status = new SyncStatus(clock)
    // Superseded tarballs go by the hub sync's collection, its grace included (one rule for the store).
    const engine = services.get('syncEngine')
    const collect = async () => void (await engine?.collectAfterCommit())
    const sync = new PackageSync({ repos, blobs, upstream: upstream!, status, clock, log, newest: newestCount(o.versions), maxTarballBytes: o.maxTarballBytes, downloads: new DownloadSlots(o.concurrency), collect })

    const entries = () => o.packages
    const scheduler = new SyncScheduler(
      {
        engine: sync,
        status,
        set: { entries },
        // `@scope/*` entries are expanded with the root's search API.
        upstream: {
          repos: async () => {
            const found = await Promise.all(entries().filter((e) => e.endsWith('/*')).map((e) => upstream!.search(e.slice(0, -1))))
            return found.flat()
          },
        },
        // The scheduler sees packages, the store holds repositories: list and look up through the mapping.
        repos: {
          list: async () => (await repos.list()).map(packageOf).filter((n): n is string => n !== undefined),
          get: async (name) => {
            const repo = repoOf(name)
            return repo ? repos.get(repo) : undefined
          },
        },
        clock,
        log,
      },
      { interval: o.interval, retry: o.retry, repoConcurrency: o.packageConcurrency },
    )
    // Packages no entry covers any more are dropped, so requests for them go to the root. Here and not
    // in the scheduler: it drops only snapshots that record an upstream revision, which npm's do not.
    for (const repo of await repos.list()) {
      const name = packageOf(repo)
      if (name === undefined || selected(o.packages, name)) continue
      try {
        if (await sync.drop(name)) log.info({ package: name }, 'npm package no longer in npm.packages: dropped, requests for it go to the root')
      } catch (err) {
        log.warn({ package: name, reason: reason(err) }, 'cannot drop an npm package no longer in npm.packages; it is still served')
      }
    }
    if (upstream && o.packages.length) {
      // Like the sync plugin's, this sync runs in the one process holding the site's sync lease.
      const leader = services.get('syncLeader')
      if (leader) await leader.on({ lead: () => scheduler.start(), follow: () => scheduler.close() })
      else await scheduler.start()
    }

    const responder = new BlobResponder(blobs, { hotBytes: 16 * 1024 * 1024, hotBlobMax: 256 * 1024 })
    const forward = services.get('forward')
    const authorize = services.get('authorize')
    const routes = npmRoutes({ repos, sync, responder, proxied, forward, allowWrites: o.allowWrites, forwardWrites: Boolean(section(config, 'forward', forwardSpec)?.allowWrites), clientHeadersTimeout: o.clientHeadersTimeout, site: config.site.name, log })
    if (authorize) routes.unshift(adminSyncRoute({ scheduler, status, entries, authorize }))
    log.info({ packages: o.packages, versions: o.versions }, 'npm registry protocol ready')

    return {
      routes,
      provides: { npmScheduler: scheduler, npmStatus: status },
      health: () => ({ packages: o.packages.length, ...status.counts(), ...(proxied ? { proxied: proxied.stats() } : {}) }),
      metrics(m) {
        m.gauge('fedgate_npm_packages', 'npm packages synchronized here, by state', ['state'], () => {
          const counts = status.counts()
          return repoSyncStates.map((s) => [{ state: s }, counts[s]] as const)
        })
      },
      async close() {
        stop.abort(new GatewayError('GW_ERR_STOPPING'))
        await scheduler.close()
        await proxyClient?.close().catch(() => {})
      },
    }
  },
}
