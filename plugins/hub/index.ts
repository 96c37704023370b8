// The `hub` plugin: fedgate's own hub API (docs/protocol.md), served from this site's repository store.
// A root serves and accepts everything in its store. A child answers only what it holds (repositories
// in a snapshot, blobs they reference); everything else falls through to the forward plugin, and a
// child can be the upstream of another child with no extra code.
import { GatewayError } from '../../gateway/errors.ts'
import { perRequest } from '../../gateway/util/per-request.ts'
import { section, type AdminCheck, type GatewayPlugin, type RequestContext, type Route } from '../../gateway/plugin-api.ts'
import { createAuthorize, type Authorize } from './auth.ts'
import { hubCommands } from './commands.ts'
import { allows, KeyRing, presentedKey, type KeyInfo } from './keys.ts'
import { linkCovers, LinkRing } from './links.ts'
import { hubSpec, storeSpec } from './options.ts'
import { Ownership } from './ownership.ts'
import { adminKeyHandlers } from './routes/admin-keys.ts'
import { BlobResponder } from './routes/blob-response.ts'
import type { HubDeps } from './routes/deps.ts'
import { ChangeStream, type StreamCredentials } from './routes/change-stream.ts'
import { federationHandlers } from './routes/federation.ts'
import { onlyMethods } from './routes/http.ts'
import { compileLayouts } from './routes/layouts.ts'
import { parseHubPath, type HubPath } from './routes/paths.ts'
import { repoHandlers } from './routes/repos.ts'
import { openStores, type Stores } from './store/open.ts'
import { collectUnreferenced } from './store/collect.ts'
import type { Clock } from '../../gateway/util/clock.ts'
import type { Logger } from 'pino'
import type { FileBlobStore } from './store/blob-store.ts'
import type { IndexStore } from './store/index.ts'
import type { IndexedRepositoryStore } from './store/repository-store.ts'

declare module '../../gateway/plugin-api.ts' {
  interface ServiceMap {
    /** The site's store: repositories, blobs and the index they are kept in. */
    repositoryStore: IndexedRepositoryStore
    blobStore: FileBlobStore
    index: IndexStore
    keys: KeyRing
    links: LinkRing
    authorize: Authorize
    ownership: Ownership
  }
}

const PREFIX = '/api/v1'
const READS = new Set(['GET', 'HEAD'])

export const hubPlugin: GatewayPlugin = {
  name: 'hub',
  options: { store: storeSpec, hub: hubSpec },
  enabled: (config) => section(config, 'hub', hubSpec).enabled,
  commands: hubCommands,
  uses: ['forward'],
  async setup({ config, log, clock, services }) {
    const o = section(config, 'hub', hubSpec)
    const isRoot = config.site.role === 'root'
    const stores = await openStores(config, { clock })
    await stores.blobStore.sweepTemp({ atStart: true })
    const keys = new KeyRing(stores.index, clock)
    const links = new LinkRing(stores.index, clock)
    const authorize = createAuthorize(keys, links)
    const adminCheck: AdminCheck = async (ctx) => {
      if (presentedKey(ctx.req.headers) === undefined) return false
      await authorize(ctx, 'admin')
      return true
    }
    // At a child, a blob a snapshot references but this node's disk lacks (another node on the shared
    // index committed it, and this node's sync has not brought it yet) is asked of the upstream.
    const forward = isRoot ? undefined : services.get('forward')
    const responder = new BlobResponder(stores.blobStore, { hotBytes: Math.floor(stores.options.hotBytes / 2), hotBlobMax: stores.options.hotBlobMax, missing: forward })
    const ownership = new Ownership({ name: config.site.name, role: config.site.role, owns: config.site.owns }, stores.index)
    const d: HubDeps = { repos: stores.repositoryStore, blobs: stores.blobStore, responder, keys, authorize, options: { ...o, readsNeedKey: o.readsNeedKey ?? isRoot }, clock, ownership }
    const repo = repoHandlers(d)
    const federation = federationHandlers(d)
    const admin = adminKeyHandlers(d)
    // A link's token that downloads may subscribe too, so the linked site exchanges as soon as something commits here.
    // A link's token is told only of its own repositories, and only if the link downloads (else 403).
    const streamCredentials: StreamCredentials = {
      verify: async (presented) => {
        const key = await keys.verify(presented)
        if (key) return { id: key.id, subscribe: allows(key, 'read'), reads: () => true }
        const link = await links.verify(presented)
        return link ? { id: link.id, subscribe: link.actions.download, reads: (repo) => linkCovers(link, repo) } : undefined
      },
    }
    const collecting = (stores.options.collect.enabled ?? isRoot) ? collectEvery(stores, stores.options.collect, clock, log) : undefined
    const stream = o.stream.enabled ? new ChangeStream({ repos: stores.repositoryStore, credentials: streamCredentials, clock, log: log.child({ component: 'stream' }) }, o.stream) : undefined
    const recheck = () => void stream?.recheckKeys()
    const stopRechecks = stream ? [keys.onChange(recheck), links.onChange(recheck)] : []
    log.info({ dir: stores.options.dir, index: stores.index.kind, repositories: stores.repositoryStore.size, readsNeedKey: d.options.readsNeedKey }, 'hub store open')

    const layouts = compileLayouts(o.layouts)
    /** Does a served snapshot reference this blob: what a child serves, and an id known well-formed. */
    const isHeld = (id: string) => stores.repositoryStore.references(id)
    // Parsed once per request: match() and handle() see the same answer.
    const pathOf = perRequest((ctx: RequestContext): (HubPath & { layout?: string }) | undefined => parseHubPath(ctx.path, PREFIX, isHeld) ?? layouts(ctx.path))
    /**
     * A root takes every repository path; a child reads of what it holds, and, once it declares
     * `site.owns`, every publish and tag delete (accepted where owned, else refused naming the owner).
     */
    const serves = (ctx: RequestContext, p: HubPath | undefined): boolean => {
      if (!p) return false
      switch (p.kind) {
        case 'image':
        case 'tag':
          if (ownership.declared && (ctx.method === 'PUT' || ctx.method === 'DELETE')) return true
          return isRoot || (READS.has(ctx.method) && stores.repositoryStore.holds(p.repo))
        case 'repo':
        case 'content':
          return isRoot || (READS.has(ctx.method) && stores.repositoryStore.holds(p.repo))
        case 'blob':
          // A blob set aside is answered here too: to an admin key (repos.ts), never forwarded.
          return isRoot || (READS.has(ctx.method) && (isHeld(p.id) || stores.repositoryStore.holdsAside(p.id)))
        case 'invalid':
          // A child forwards it: the root answers with the same rule.
          return isRoot
        default:
          return false
      }
    }

    const routes: Route[] = [
      {
        name: 'hub',
        stage: 'repository',
        match: (ctx) => serves(ctx, pathOf(ctx)),
        handle(ctx) {
          const p = pathOf(ctx)!
          // A layout maps reads only: at a root, a PUT or DELETE through one is not a publish.
          if (p.layout !== undefined) onlyMethods(ctx, 'GET', 'HEAD')
          switch (p.kind) {
            case 'repo':
              return repo.info(ctx, p.repo)
            case 'image':
              return repo.image(ctx, p.repo, p.ref)
            case 'content':
              return repo.content(ctx, p.repo, p.ref)
            case 'tag':
              return repo.deleteTag(ctx, p.repo, p.tag)
            case 'blob':
              return repo.blob(ctx, p.id)
            case 'invalid':
              throw new GatewayError('GW_ERR_BAD_REQUEST', p.rule)
          }
        },
      },
      {
        name: 'hub-federation',
        stage: 'repository',
        match: (ctx) => {
          const k = pathOf(ctx)?.kind
          return k === 'changes' || k === 'federation-repos'
        },
        handle: (ctx) => (pathOf(ctx)!.kind === 'changes' ? federation.changes(ctx) : federation.repos(ctx)),
      },
      {
        name: 'hub-admin-keys',
        stage: 'gateway',
        match: (ctx) => {
          const k = pathOf(ctx)?.kind
          return k === 'keys' || k === 'key-action'
        },
        handle(ctx) {
          const p = pathOf(ctx)!
          return p.kind === 'key-action' ? admin.action(ctx, p.id, p.action) : admin.keys(ctx)
        },
      },
    ]

    return {
      routes,
      upgrades: stream ? [stream.upgrade] : [],
      provides: { repositoryStore: stores.repositoryStore, blobStore: stores.blobStore, index: stores.index, keys, links, authorize, adminCheck, ownership },
      health: () => ({ repositories: stores.repositoryStore.size, ...stores.repositoryStore.servedBlobs(), index: stores.index.kind, ...(stream ? { stream: stream.health() } : {}), ...(collecting ? { collect: collecting.stats } : {}) }),
      metrics(m) {
        const served = () => stores.repositoryStore.servedBlobs()
        m.gauge('fedgate_store_repositories', 'Repositories this site serves from its store', [], () => stores.repositoryStore.size)
        m.gauge('fedgate_store_blobs', 'Blobs the served snapshots reference', [], () => served().blobs)
        m.gauge('fedgate_store_bytes', 'Bytes of the blobs the served snapshots reference', [], () => served().bytes)
        if (!stream) return
        m.gauge('fedgate_stream_subscribers', 'Children subscribed to this site\'s change stream', [], () => stream.stats().subscribers)
        m.counter('fedgate_stream_announcements_total', 'Commits announced on the change stream', [], () => stream.stats().announced)
        m.counter('fedgate_stream_subscriptions_refused_total', 'Subscriptions refused (no valid read key, or the subscriber limit reached)', [], () => stream.stats().refused)
        m.counter('fedgate_stream_subscribers_dropped_total', 'Subscribers closed by this site: too slow to read (slow), their key disabled (revoked)', ['reason'], () => {
          const s = stream.stats()
          return [[{ reason: 'slow' }, s.dropped], [{ reason: 'revoked' }, s.revoked]] as const
        })
      },
      close: () => {
        collecting?.stop()
        for (const stop of stopRechecks) stop()
        stream?.close()
        return stores.close()
      },
    }
  },
}

/** What the store's periodic collection did, for /health (`hub.collect`). */
interface CollectStats {
  runs: number
  removed: number
  last?: string
}

/** The store's periodic collection (store.collect). A failure is logged and the next one tries again. */
function collectEvery(stores: Stores, o: { interval: number; grace: number }, clock: Clock, log: Logger): { stop(): void; stats: CollectStats } {
  let timer: unknown
  let stopped = false
  const stats: CollectStats = { runs: 0, removed: 0 }
  const next = () => {
    if (stopped) return
    timer = clock.setTimeout(() => {
      collectUnreferenced({ blobs: stores.blobStore, repos: stores.repositoryStore, log }, { grace: o.grace, keep: () => stores.repositoryStore.loggedImages() })
        // And what killed writers (a `fedgate publish`, another worker) left in tmp/, not only at start.
        .then(async ({ removed }) => (await stores.blobStore.sweepTemp({ atStart: false }), removed))
        .then((n) => {
          stats.removed += n
          stats.last = new Date(clock.now()).toISOString()
        })
        .catch((err: unknown) => log.warn({ reason: (err as Error)?.message ?? String(err) }, 'collecting unreferenced blobs failed'))
        .finally(() => {
          stats.runs++
          next()
        })
    }, o.interval)
  }
  next()
  return {
    stop() {
      stopped = true
      clock.clearTimeout(timer)
    },
    stats,
  }
}
