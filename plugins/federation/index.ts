// The `federation` plugin (docs/federation.md): links between sites. The incoming side answers the
// link protocol for the links made here (`fedgate links create`); the outgoing side runs one engine per
// `links:` entry. Both move changes and blobs between repository stores by the link's mode, through the
// store's rule for versions, so nothing loops and every site converges.
import { setMaxListeners } from 'node:events'
import { section, type GatewayPlugin } from '../../gateway/plugin-api.ts'
import { GatewayError } from '../../gateway/errors.ts'
import { actionsOf, linkCovers, type LinkRing } from '../hub/links.ts'
import { LiveSubscription } from '../hub/stream-subscription.ts'
import { ownsMatches } from '../hub/ownership.ts'
import type { Logger } from 'pino'
import { hubSpec, storeSpec } from '../hub/options.ts'
import { onlyMethods, readJson, sendJson } from '../hub/routes/http.ts'
import type { IndexedRepositoryStore } from '../hub/store/repository-store.ts'
import { linksCommands } from './commands.ts'
import { LinkEngine } from './link-engine.ts'
import { linksSpec } from './options.ts'
import { Peer } from './peer.ts'
import { incomingRoutes } from './routes.ts'
import { FederationState } from './state.ts'
import { LinkTraffic, viewOf, type LinkStatus } from './status.ts'
import { OwnerClaims, OwnershipConflicts } from './owner-claims.ts'
import { LinkUploads } from './link-uploads.ts'
import { InFlight } from '../../gateway/util/in-flight.ts'

declare module '../../gateway/plugin-api.ts' {
  interface ServiceMap {
    /** The outgoing links' engines, by link name. */
    linkEngines: Map<string, LinkEngine>
    linkTraffic: LinkTraffic
    /** The values set aside for an owner's: listed, and dismissed by an operator. */
    ownershipConflicts: OwnershipConflicts
  }
}

export const STATUS_PATH = '/api/v1/federation/links/status'
const DISMISS_PATH = '/api/v1/federation/links/dismiss-conflict'

const CUSTOM_ACTIONS = ['download', 'upload', 'deleteDownloaded', 'deleteUploaded'] as const

export const federationPlugin: GatewayPlugin = {
  name: 'federation',
  options: { links: linksSpec },
  enabled: (config) => section(config, 'hub', hubSpec).enabled,
  // A link whose options can only be ignored is refused: it would run and carry nothing the user asked for.
  validate(config, fail, given) {
    section(config, 'links', linksSpec).forEach((l, i) => {
      // Given at all, even false: `download: false` on a pull link reads as if it stopped the download.
      const set = CUSTOM_ACTIONS.filter((a) => given(['links', i, a]))
      if (l.mode !== 'custom') {
        if (set.length > 0) fail(['links', i, set[0]!], `only a custom link takes ${set.join(', ')}: mode ${l.mode} decides what it does (docs/federation.md)`)
        return
      }
      if (!l.download && !l.upload) fail(['links', i, 'mode'], 'a custom link needs download: true or upload: true (or both): as given it carries nothing')
      if (l.deleteDownloaded && !l.download) fail(['links', i, 'deleteDownloaded'], 'deleteDownloaded needs download: true')
      if (l.deleteUploaded && !l.upload) fail(['links', i, 'deleteUploaded'], 'deleteUploaded needs upload: true')
    })
  },
  commands: linksCommands,
  needs: ['repositoryStore', 'blobStore', 'index', 'links', 'authorize', 'ownership'],
  async setup({ config, log, clock, services }) {
    const hub = section(config, 'hub', hubSpec)
    const repos = services.need('repositoryStore')
    const blobs = services.need('blobStore')
    const index = services.need('index')
    const links = services.need('links')
    const authorize = services.need('authorize')
    const ownership = services.need('ownership')
    const state = new FederationState(index)
    const traffic = new LinkTraffic(clock, state)
    const outLinks = section(config, 'links', linksSpec)
    const incoming = new Set((await links.list()).map((l) => l.name))
    const outgoing = new Set(outLinks.map((l) => l.name))
    await traffic.restore((name, direction) => (direction === 'incoming' ? incoming : outgoing).has(name))
    const site = { name: config.site.name, owns: config.site.owns }
    const owners = new OwnerClaims({ site: site.name, repos, state, log: log.child({ component: 'ownership' }) })
    const conflicts = new OwnershipConflicts({ repos, log: log.child({ component: 'ownership' }) })
    await forgetUnselected({ repos, state, links, outgoing: outLinks.map((l) => l.repositories), owns: (name) => ownership.ownsLocally(name), site: site.name, log })
    const grace = section(config, 'store', storeSpec).collect.grace
    const uploads = new LinkUploads(index, clock, grace)
    // Records of blobs no change named go once past the grace, at start and once per grace after.
    let sweepTimer: unknown
    let sweeping: Promise<unknown> = Promise.resolve()
    const sweep = () => {
      sweeping = uploads.sweep().then(
        (n) => n && log.info({ records: n }, 'links: expired records of uploaded blobs removed'),
        (err: unknown) => log.warn({ err: (err as Error)?.message }, 'links: records of uploaded blobs not swept'),
      )
      sweepTimer = clock.setTimeout(sweep, grace)
    }
    sweep()
    const stop = new AbortController()
    // Every request of every link listens to it (16 transfers each way per link): no leak warning.
    setMaxListeners(0, stop.signal)
    const engines = new Map<string, LinkEngine>()
    const downloads = new InFlight<void>()
    const lives: LiveSubscription[] = []
    const unsubscribes: (() => void)[] = []
    for (const l of outLinks) {
      const peer = new Peer({ url: l.url, token: l.token, ca: l.ca, requestTimeout: 30_000, signal: stop.signal })
      const custom = { download: l.download, upload: l.upload, deleteDownloaded: l.deleteDownloaded, deleteUploaded: l.deleteUploaded }
      const engine = new LinkEngine(
        { name: l.name, mode: l.mode, custom, repositories: l.repositories, interval: l.interval, retry: l.retry },
        { site, repos, blobs, state, owners, traffic, peer, clock, log: log.child({ component: 'link', link: l.name }), pageLimit: hub.changesLimit, downloads },
      )
      engines.set(l.name, engine)
      engine.start()
      unsubscribes.push(repos.onCommit((c) => engine.onLocalCommit(c)))
      // A link that downloads listens to the peer's change stream: each commit there starts an exchange.
      if (actionsOf(l.mode, custom).download && hub.stream.enabled) {
        const live = new LiveSubscription(
          {
            client: peer.client,
            ca: l.ca,
            request: () => engine.requestExchange(),
            ok: () => !traffic.get(l.name, 'outgoing').failing,
            // The peer may have stopped: an exchange now finds out, and status says so when it fails (then
            // retried with the backoff), instead of showing ok until the interval's exchange.
            down: () => {
              if (!traffic.get(l.name, 'outgoing').failing) void engine.requestExchange()
            },
            selected: (name) => l.repositories.some((p) => ownsMatches(p, name)),
            // On (re)connect: one exchange catches up with what was missed.
            all: async () => [l.name],
            upToDate: () => false,
            clock,
            log: log.child({ component: 'link-stream', link: l.name }),
          },
          { reconnect: { initial: 1000, max: 30_000 } },
        )
        live.start()
        lives.push(live)
      }
    }

    /** A link's status with its state now; an incoming link's peer is heard from by any request it makes. */
    const view = (s: LinkStatus) => viewOf(s, clock.now(), s.direction === 'incoming' ? links.activity.lastHeard(s.name) : undefined)

    const statusBody = async () => {
      const made = await links.list()
      // Every link made here has an incoming entry (one never called yet, too); outgoing ones are the engines'.
      for (const l of made) Object.assign(traffic.get(l.name, 'incoming'), { mode: l.mode })
      return { site: site.name, owns: site.owns, links: traffic.list().map((s) => ({ ...view(s), disabled: s.direction === 'incoming' ? made.find((l) => l.name === s.name)?.disabled : undefined })), conflicts: await state.conflicts(), ownershipConflicts: conflicts.list() }
    }

    return {
      routes: [
        ...incomingRoutes({ site, links, repos, blobs, state, owners, traffic, uploads, log, pageLimit: hub.changesLimit, maxUploadBytes: hub.maxUploadBytes }),
        {
          name: 'federation-links-status',
          stage: 'gateway',
          match: (ctx) => ctx.path === STATUS_PATH,
          async handle(ctx) {
            onlyMethods(ctx, 'GET', 'HEAD')
            await authorize(ctx, 'admin')
            sendJson(ctx, 200, await statusBody(), { 'cache-control': 'no-store' })
          },
        },
        {
          name: 'federation-dismiss-conflict',
          stage: 'gateway',
          match: (ctx) => ctx.path === DISMISS_PATH,
          async handle(ctx) {
            onlyMethods(ctx, 'POST')
            await authorize(ctx, 'admin')
            const { repo, tag } = await readJson(ctx.req)
            if (typeof repo !== 'string' || typeof tag !== 'string') throw new GatewayError('GW_ERR_BAD_REQUEST', 'the body is {"repo": "ns/name", "tag": "..."}')
            sendJson(ctx, 200, { dismissed: await conflicts.dismiss(repo, tag) }, { 'cache-control': 'no-store' })
          },
        },
      ],
      provides: { linkEngines: engines, linkTraffic: traffic, ownershipConflicts: conflicts },
      // The admin page lists these: a state, and what an operator reads first.
      health: () => ({
        links: traffic.list().map(view).map((s) => ({ name: s.name, state: s.state, direction: s.direction, mode: s.mode, lastExchange: s.lastExchange, pending: s.pending, ...(s.failing ? { failing: s.failing } : {}), ...(s.stale ? { stale: s.stale } : {}) })),
        ownershipConflicts: conflicts.list(),
      }),
      async close() {
        clock.clearTimeout(sweepTimer)
        await sweeping // the index closes after this
        for (const off of unsubscribes) off()
        for (const live of lives) live.close()
        stop.abort(new GatewayError('GW_ERR_STOPPING'))
        await Promise.all([...engines.values()].map((e) => e.close()))
      },
    }
  },
}

/**
 * At start, as `repositories:` does: a repository that arrived over links (a version from another
 * origin) and that no link selects any more, nor this site owns, stops being served. Only when links
 * are in use here, so a site that never linked is untouched.
 */
async function forgetUnselected(d: { repos: IndexedRepositoryStore; state: FederationState; links: LinkRing; outgoing: string[][]; owns: (name: string) => boolean; site: string; log: Logger }): Promise<void> {
  const incoming = (await d.links.list()).filter((l) => !l.disabled)
  let forgot = 0
  for (const name of await d.repos.list()) {
    const s = await d.repos.get(name)
    if (!s || d.owns(name)) continue
    const received = Object.values(s.versions ?? {}).some((v) => v.origin !== d.site)
    if (!received) continue
    if (d.outgoing.some((ps) => ps.some((p) => ownsMatches(p, name))) || incoming.some((l) => linkCovers(l, name))) continue
    if (await d.repos.forget(name, s.revision)) {
      forgot++
      d.log.info({ repo: name }, 'repository no longer selected by any link: no longer served')
    }
  }
  if (forgot) await d.state.resetVectors()
}
