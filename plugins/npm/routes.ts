// The npm registry routes. A synchronized package is answered from its snapshot (packument, abbreviated
// metadata, dist-tags, tarballs) with no root contact; any other package's packument is fetched from
// the root with the site's key and its tarball URLs rewritten to this site, and its tarballs are
// forwarded. Writes are refused in npm's error shape unless npm.allowWrites, and so is a packument
// read with `?write=true` (the first step of npm deprecate, unpublish, owner), which is never answered
// from the store: npm PUTs what it reads back to the root, and the stored copy may be cut or stale.
import { createHash } from 'node:crypto'
import type { Logger } from 'pino'
import { LRUCache } from 'lru-cache'
import { GatewayError } from '../../gateway/errors.ts'
import type { RequestContext, Route } from '../../gateway/plugin-api.ts'
import { perRequest } from '../../gateway/util/per-request.ts'
import type { IndexedRepositoryStore } from '../hub/store/repository-store.ts'
import type { BlobResponder } from '../hub/routes/blob-response.ts'
import { matchesEtag, notModified, sendJson } from '../hub/routes/http.ts'
import { fromNpmClient, npmHandler, WritesRefused } from './npm-errors.ts'
import { parseNpmPath, repoOf, type NpmPath } from './names.ts'
import { isPackageWrite } from './package-writes.ts'
import { PackageSync } from './package-sync.ts'
import { abbreviate, CORGI, rewriteTarball, rewriteTarballs, versionOf, wantsAbbreviated } from './packument.ts'
import type { ProxiedPackuments } from './proxied-packuments.ts'

const READS = new Set(['GET', 'HEAD'])
/** A semantic version as npm publishes them (`1.2.3`, `1.2.3-rc.1+build`; a leading `v` as npm accepts it). */
const VERSION_LIKE = /^v?\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]*)?$/
/** A first path segment that could be an npm package (legacy names had capitals): a write there is npm's. */
const LOOSE_PART = "[A-Za-z0-9~][A-Za-z0-9._~!*'()-]*"
const PACKAGE_LIKE = new RegExp(`^/(@${LOOSE_PART}/)?${LOOSE_PART}(/|$)`)
/**
 * Reads whose answer is about whoever asks (whoami, profile, tokens, access, org and team listings, the
 * legacy couchdb user): with the site's key they would show any client the site's own account. Matched
 * as the root routes them (Verdaccio's router ignores case and a trailing slash).
 */
const ACCOUNT_READ = /^\/-\/(?:whoami|user|org|team|npm\/v1\/(?:user|tokens|hooks))(?:\/|$)|^\/-\/package\/.+\/(?:access|collaborators)\/?$/i

export interface NpmRouteDeps {
  repos: IndexedRepositoryStore
  sync: PackageSync
  responder: BlobResponder
  /** Packuments of packages not synchronized here, from the root (undefined at a site without a root). */
  proxied?: ProxiedPackuments
  /** The forward plugin's handler (undefined at a site without a root). */
  forward?: (ctx: RequestContext, o?: { fromRoot?: boolean; asClient?: boolean }) => Promise<void>
  allowWrites: boolean
  /** forward.allowWrites: without it the forward plugin refuses every write anyway. */
  forwardWrites: boolean
  /** npm.clientHeadersTimeout: how long an npm client's proxied packument waits for the root's head. */
  clientHeadersTimeout: number
  /** site.name, named in the outage message npm clients get. */
  site: string
  log: Logger
}

interface Rendered {
  revision: number
  full: Buffer
  corgi: Buffer
  etag: string
  tarballs: Record<string, string>
}

export function npmRoutes(d: NpmRouteDeps): Route[] {
  const pathOf = perRequest((ctx: RequestContext): NpmPath | undefined => parseNpmPath(ctx.path))
  const writeIntent = (ctx: RequestContext) => ctx.query !== '' && new URLSearchParams(ctx.query.slice(1)).get('write') === 'true'
  // Every write an npm client may send, and any client's write the root routes to a package (package-writes.ts):
  // parsed npm paths (but another client's POST), the registry's own `/-/…` (login, access,
  // token, org) and, from an npm client, anything under a package-like first segment (legacy names),
  // except fedgate's own API and npm audit's POSTs, which change nothing (they stay the forward
  // plugin's, under forward.allowWrites). Other clients' writes elsewhere (a hub's uploads) stay the
  // forward plugin's too. Account reads go with them: they too need the client's own credentials.
  const npmWrite = (ctx: RequestContext) => {
    if (READS.has(ctx.method)) return ctx.path.startsWith('/-/') && ACCOUNT_READ.test(ctx.path)
    if (ctx.method === 'OPTIONS') return false
    // Whoever sends it, once the forward plugin would pass it on: the root would take it as a publish,
    // unpublish or dist-tag change. (Under forward.allowWrites false, another client's write is refused
    // there, in the gateway's own error shape, naming that setting.)
    if (isPackageWrite(ctx.method, ctx.path)) return d.forwardWrites || fromNpmClient(ctx)
    // Before the POST exception below: the root's POSTs (dist-tags, tokens, profile) are all under `/-/`.
    if (ctx.path.startsWith('/-/')) return !ctx.path.startsWith('/-/npm/v1/security/')
    // npm never POSTs to a package's path (publish, unpublish, deprecate and owner are PUT and DELETE):
    // another client's POST there (a hub's own `/login`, `/upload`) is not npm's to refuse.
    const p = pathOf(ctx)
    // `/x/y` is a version document's path when read; written, it is npm's only as isPackageWrite takes it.
    if (p !== undefined && p.kind !== 'version') return ctx.method !== 'POST' || fromNpmClient(ctx)
    return PACKAGE_LIKE.test(ctx.path) && !ctx.path.startsWith('/api/') && fromNpmClient(ctx)
  }
  /** Throws unless writes may go through to the root, naming the setting that refuses them. */
  const checkWrites = (allow?: string) => {
    if (!d.allowWrites) throw new WritesRefused('npm.allowWrites', allow)
    if (!d.forwardWrites) throw new WritesRefused('forward.allowWrites', allow)
  }
  const held = (name: string) => {
    const repo = repoOf(name)
    return repo !== undefined && d.repos.holds(repo)
  }
  // Tarball URLs follow the client's public URL (site.publicUrl, or the site name it used): renderings are kept per base.
  const baseOf = (ctx: RequestContext) => ctx.publicUrl
  const rendered = new LRUCache<string, Rendered>({ maxSize: 64 * 1024 * 1024, sizeCalculation: (r) => r.full.length + r.corgi.length + 64 })

  /** The package's snapshot rendered for `base`, cached per revision. */
  const render = async (name: string, base: string): Promise<Rendered | undefined> => {
    const state = await d.repos.get(repoOf(name)!)
    if (!state) return undefined
    const key = `${name}\n${base}`
    const hit = rendered.get(key)
    if (hit && hit.revision === state.revision) return hit
    const stored = await d.sync.stored(name)
    if (!stored) return undefined
    const doc = rewriteTarballs(stored.packument, base, name)
    const full = Buffer.from(JSON.stringify(doc))
    const corgi = Buffer.from(JSON.stringify(abbreviate(doc)))
    const tarballs = Object.fromEntries(Object.entries(stored.tarballs).map(([f, t]) => [f, t.id]))
    const r: Rendered = { revision: state.revision, full, corgi, etag: createHash('sha256').update(full).digest('base64url').slice(0, 27), tarballs }
    rendered.set(key, r)
    return r
  }

  const forward = async (ctx: RequestContext, o?: { fromRoot?: boolean; asClient?: boolean }) => {
    if (!d.forward) throw new GatewayError('GW_ERR_NO_ROOT', 'this package is not synchronized here')
    await d.forward(ctx, o)
  }

  const servePackument = async (ctx: RequestContext, name: string) => {
    const r = await render(name, baseOf(ctx))
    if (!r) throw new GatewayError('GW_ERR_NOT_FOUND', `${name} is not synchronized here`)
    ctx.cache = 'hit'
    const corgi = wantsAbbreviated(ctx.req.headers.accept)
    const etag = `"${r.etag}${corgi ? '-a' : ''}"`
    const headers = { etag, 'cache-control': 'public, max-age=60', vary: 'accept' }
    if (matchesEtag(ctx.req, etag)) return notModified(ctx, headers)
    const body = corgi ? r.corgi : r.full
    ctx.res.writeHead(200, { ...headers, 'content-type': corgi ? CORGI : 'application/json', 'content-length': body.length })
    ctx.res.end(ctx.method === 'HEAD' ? undefined : body)
  }

  /** One version's document (by version or dist-tag) from the stored packument, its tarball URL on this site. */
  const serveVersion = async (ctx: RequestContext, name: string, spec: string) => {
    const stored = await d.sync.stored(name)
    const doc = stored && versionOf(stored.packument, spec)
    if (!doc) throw new GatewayError('GW_ERR_NOT_FOUND', `${name}@${spec} is not synchronized here`)
    ctx.cache = 'hit'
    sendJson(ctx, 200, rewriteTarball(doc, baseOf(ctx), name))
  }

  /** A packument (or, given `version`, one version's document) the root serves, with its tarball URLs pointed at this site. */
  const proxyPackument = (ctx: RequestContext, name: string, version?: string) => {
    const proxied = d.proxied
    if (!proxied) throw new GatewayError('GW_ERR_NO_ROOT', `${name} is not synchronized here`)
    ctx.upstream = proxied.origin
    ctx.cache = 'bypass'
    return proxied.track(async () => {
      // An npm client gets a short wait for the root's head: npm retries a 504 for minutes (npm-errors.ts).
      const headersTimeout = fromNpmClient(ctx) ? d.clientHeadersTimeout : undefined
      const cacheControl = ctx.req.headers['cache-control']
      const fetched = await (version === undefined
        ? proxied.fetch(name, ctx.req.headers.accept, headersTimeout, cacheControl)
        : proxied.fetchVersion(name, version, headersTimeout, cacheControl))
      ctx.cache = fetched.cache
      // The rewrite, after the shared fetch: per base, so each request gets the URLs meant for it.
      await proxied.send(ctx, fetched, fetched.bodyFor(baseOf(ctx)))
    })
  }

  const serveTarball = async (ctx: RequestContext, name: string, file: string) => {
    const r = await render(name, baseOf(ctx))
    const id = r?.tarballs[file]
    if (!id) throw new GatewayError('GW_ERR_NOT_FOUND', `${name} has no tarball ${file} here`)
    await d.responder.send(ctx, id, 'public') // tarballs are read with no key
  }

  const serveDistTags = async (ctx: RequestContext, name: string) => {
    const stored = await d.sync.stored(name)
    if (!stored) throw new GatewayError('GW_ERR_NOT_FOUND', `${name} is not synchronized here`)
    ctx.cache = 'hit'
    sendJson(ctx, 200, stored.packument['dist-tags'] ?? {})
  }

  return [
    {
      name: 'npm-write',
      stage: 'repository',
      match: npmWrite,
      handle: npmHandler(d, (ctx) => {
        if (READS.has(ctx.method)) {
          // An account read: about the client's account, so with its credentials, never the site's key.
          checkWrites()
          return forward(ctx, { asClient: true })
        }
        checkWrites('GET, HEAD')
        return forward(ctx)
      }),
    },
    {
      name: 'npm',
      stage: 'repository',
      // A packument not held here is npm's only when Accept asks for JSON (below); else the forward route's.
      matchHeaders: ['accept'],
      match: (ctx) => {
        if (!READS.has(ctx.method)) return false
        const p = pathOf(ctx)
        if (!p || p.kind === 'revision') return false
        if (p.kind === 'packument' && writeIntent(ctx)) return true
        if (held(p.name)) return true
        // Not synchronized: packuments and version documents are fetched and rewritten; npm's tarball and dist-tag reads are forwarded.
        if (p.kind === 'packument') return /json/.test(String(ctx.req.headers.accept ?? ''))
        // Any JSON read of `/x/y` would look like one: unless scoped or naming a version, it stays the root's
        // own path, forwarded as it answers (a root that is not a registry: `/api/status`, `/files/latest`).
        if (p.kind === 'version') return (p.name.startsWith('@') || VERSION_LIKE.test(p.version)) && /json/.test(String(ctx.req.headers.accept ?? ''))
        return true
      },
      handle: npmHandler(d, (ctx) => {
        const p = pathOf(ctx)!
        const local = held(p.name)
        switch (p.kind) {
          case 'packument':
            // Forwarded untouched (tarball URLs too: npm sends this document back to the root), and
            // always the root's own: a stored copy lacking a newer version, PUT back, unpublishes it.
            if (writeIntent(ctx)) {
              checkWrites()
              return forward(ctx, { fromRoot: true })
            }
            return local ? servePackument(ctx, p.name) : proxyPackument(ctx, p.name)
          case 'version':
            return local ? serveVersion(ctx, p.name, p.version) : proxyPackument(ctx, p.name, p.version)
          case 'tarball':
            return local ? serveTarball(ctx, p.name, p.file) : forward(ctx)
          case 'dist-tags':
            return local && p.tag === undefined ? serveDistTags(ctx, p.name) : forward(ctx)
          default:
            return forward(ctx)
        }
      }),
    },
  ]
}
