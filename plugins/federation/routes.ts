// The incoming side of links: hello, the link's filtered feed and snapshot, blob uploads (resumable)
// and change uploads. Every request presents the link's sync token; what it may do is its mode's.
import type { Logger } from 'pino'
import { OWNS_PATTERN, SITE_NAME } from '../../gateway/config/schema.ts'
import { GatewayError } from '../../gateway/errors.ts'
import { Limiter } from '../../gateway/util/limiter.ts'
import type { RequestContext, Route } from '../../gateway/plugin-api.ts'
import { checkLink } from '../hub/auth.ts'
import { presentedKey } from '../hub/keys.ts'
import { linkCovers, type LinkInfo, type LinkRing } from '../hub/links.ts'
import type { Change, RepoName } from '../hub/model.ts'
import { IMAGE_ID } from '../hub/names.ts'
import { firstOverlap, linkCarries, ownsAny } from '../hub/ownership.ts'
import { countParam, onlyMethods, queryParam, readJson, sendJson } from '../hub/routes/http.ts'
import type { FileBlobStore } from '../hub/store/blob-store.ts'
import type { IndexedRepositoryStore } from '../hub/store/repository-store.ts'
import { changeProblem } from './change-check.ts'
import { changesOfState, type FederationState } from './state.ts'
import type { LinkTraffic } from './status.ts'
import type { OwnerClaims } from './owner-claims.ts'
import type { LinkUploads } from './link-uploads.ts'
import { LINK_PREFIX, OFFSET_HEADER, PARTIAL_HEADER, SIZE_HEADER, type HelloAnswer, type LinkPage, type LinkSnapshot, type UploadBatch } from './wire.ts'

export interface IncomingDeps {
  site: { name: string; owns: readonly string[] }
  links: LinkRing
  repos: IndexedRepositoryStore
  blobs: FileBlobStore
  state: FederationState
  /** Records a caller's claims, and sets aside what this site published in them. */
  owners: OwnerClaims
  traffic: LinkTraffic
  /** What each link uploaded and no change of its has named yet (in the index: it survives a restart). */
  uploads: LinkUploads
  log: Logger
  /** Most changes in one page or upload. */
  pageLimit: number
  maxUploadBytes: number
}

export function incomingRoutes(d: IncomingDeps): Route[] {
  /** Uploaded blobs are pinned until the link's next committed batch: no collection removes them first. */
  const uploadPins = new Map<string, (() => void)[]>()

  /**
   * What a link may learn is held: only blobs its own repositories reference, or that it uploaded
   * itself. Any other blob is reported missing, like one the site lacks (no presence oracle): the
   * sender uploads it, and the bytes are verified and kept once.
   */
  const holdsFor = async (l: LinkInfo, id: string): Promise<boolean> =>
    (d.repos.referencedBy(id, (repo) => linkCovers(l, repo)) || (await d.uploads.has(l.id, id))) && (await d.blobs.has(id))

  const link = async (ctx: RequestContext): Promise<LinkInfo> => {
    const presented = presentedKey(ctx.req.headers)
    const l = presented ? await d.links.verify(presented) : undefined
    if (!l) throw new GatewayError('GW_ERR_UNAUTHORIZED', 'a link sync token is required', { 'www-authenticate': 'Bearer realm="fedgate"' })
    d.links.activity.during(l.name, ctx.res)
    return l
  }

  const peerOf = (ctx: RequestContext): string => {
    const p = queryParam(ctx, 'peer')
    if (p === undefined || !SITE_NAME.test(p)) throw new GatewayError('GW_ERR_BAD_REQUEST', 'peer is the calling site\'s name')
    return p
  }

  /** The site a link's token speaks for is the one its first call named (state.bindLink). */
  const speaksFor = async (l: LinkInfo, site: string): Promise<void> => {
    const active = async (id: string) => !(await d.links.find(id).catch(() => undefined))?.disabled
    const { boundTo, otherLink } = await d.state.bindLink(l.id, site, active)
    if (boundTo !== undefined) throw new GatewayError('GW_ERR_CONFLICT', `link ${l.name}'s token speaks for ${boundTo}; ${site} needs a link of its own`)
    if (otherLink !== undefined) throw new GatewayError('GW_ERR_CONFLICT', `another link already speaks for ${site}; one site, one link`)
  }

  const handlers: Record<string, (ctx: RequestContext, rest: string) => Promise<void>> = {
    async hello(ctx) {
      onlyMethods(ctx, 'POST')
      const l = await link(ctx)
      const body = await readJson(ctx.req)
      const site = body.site
      const owns = body.owns
      const interval = body.interval
      // Patterns as site.owns takes them: a claim `**` would overlap every link and own every namespace.
      if (typeof site !== 'string' || !SITE_NAME.test(site) || !Array.isArray(owns) || !owns.every((o) => typeof o === 'string' && OWNS_PATTERN.test(o))) throw new GatewayError('GW_ERR_BAD_REQUEST', 'the body is {"site": "name", "owns": ["ns/*", "ns/**", "ns/name"], "interval": ms}')
      if (interval !== undefined && (typeof interval !== 'number' || !Number.isSafeInteger(interval) || interval < 1)) throw new GatewayError('GW_ERR_BAD_REQUEST', 'interval is the caller\'s time between exchanges: a whole number of milliseconds ≥ 1')
      if (site === d.site.name) throw new GatewayError('GW_ERR_BAD_REQUEST', `the peer calls itself ${site}, this site's own name`)
      // A token speaks only for what its link carries: a claim beyond it would make this site refuse
      // its own publishes there (not owner). All or nothing, so no partial claim is recorded.
      const outside = (owns as string[]).find((o) => !linkCarries(l.repositories, o))
      if (outside !== undefined) {
        const carries = l.repositories.join(', ')
        d.traffic.failed(l.name, `claim outside the link: ${site} claims ${outside}, link ${l.name} carries ${carries}`)
        throw new GatewayError('GW_ERR_FORBIDDEN', `${site} claims ${outside}, which link ${l.name} (${carries}) does not carry`)
      }
      const overlap = firstOverlap(d.site.owns, owns as string[])
      if (overlap) {
        d.traffic.failed(l.name, `ownership overlap: ${d.site.name} owns ${overlap[0]}, ${site} claims ${overlap[1]}`)
        throw new GatewayError('GW_ERR_OWNERSHIP_OVERLAP', `${d.site.name} owns ${overlap[0]} and ${site} claims ${overlap[1]}`)
      }
      // Only now: a refused hello binds the token to no site (a mistyped name, corrected, is taken).
      await speaksFor(l, site)
      // Before the answer: its vector is read again from the start when something was set aside.
      await d.owners.learn(site, owns as string[])
      d.traffic.contact(l.name, site, interval as number | undefined)
      const answer: HelloAnswer = {
        site: d.site.name,
        // As the caller's claims: only what the link carries (the caller records no more).
        owns: d.site.owns.filter((o) => linkCarries(l.repositories, o)),
        link: { name: l.name, mode: l.mode, actions: l.actions, repositories: l.repositories },
        vector: await d.state.vector(site),
        store: d.repos.storeId,
        revision: await d.repos.revision(),
      }
      sendJson(ctx, 200, answer, { 'cache-control': 'no-store' })
    },

    async changes(ctx) {
      const l = await link(ctx)
      if (ctx.method === 'POST') return upload(ctx, l)
      onlyMethods(ctx, 'GET', 'POST')
      checkLink(l, 'download')
      const peer = peerOf(ctx)
      await speaksFor(l, peer)
      // Read as the hub's own feed reads it (`since=`, `1e2`, `0x1` or two refused).
      const since = countParam(new URLSearchParams(ctx.query.slice(1)), 'since', 'a revision: an integer ≥ 0') ?? 0
      const page = await d.repos.changes(since, undefined, d.pageLimit)
      if (page === 'too-old') throw new GatewayError('GW_ERR_GONE', `since=${since}`)
      const last = page.changes.at(-1)
      // Never back to where a change came from: not its origin, not the site it arrived from.
      const changes = page.changes.filter((c) => linkCovers(l, c.repo) && c.origin !== peer && c.via !== peer && (c.op === 'tag' || l.actions.deleteDownloaded || c.aside === true))
      const answer: LinkPage = { store: d.repos.storeId, revision: page.revision, changes: changes.map(withOrigin(d.site.name)), next: page.more && last ? last.rev : page.revision, more: !!page.more }
      d.traffic.sent(l.name, answer.changes, answer.next)
      sendJson(ctx, 200, answer, { 'cache-control': 'no-store' })
    },

    async snapshot(ctx) {
      onlyMethods(ctx, 'GET')
      const l = await link(ctx)
      checkLink(l, 'download')
      const revision = await d.repos.revision()
      const repos: LinkSnapshot['repos'] = []
      for (const s of await d.repos.wholeState((name) => linkCovers(l, name))) {
        repos.push({ name: s.name, tags: s.tags, images: s.images, versions: Object.fromEntries(changesOfState(s, d.site.name).map((c) => [c.tag, { origin: c.origin!, originRev: c.originRev!, at: c.at, ...(c.op === 'untag' ? { deleted: true as const } : { image: c.image!.id }), ...(c.prev !== undefined ? { prev: c.prev } : {}), ...(c.aside ? { aside: true as const } : {}) }])) })
      }
      sendJson(ctx, 200, { store: d.repos.storeId, revision, repos } satisfies LinkSnapshot, { 'cache-control': 'no-store' })
    },

    async blobs(ctx, rest) {
      const l = await link(ctx)
      checkLink(l, 'upload')
      if (rest === '') {
        // POST …/blobs {ids}: which of them this site lacks, with the bytes kept of each.
        onlyMethods(ctx, 'POST')
        const { ids } = await readJson(ctx.req, 8 * 1024 * 1024)
        if (!Array.isArray(ids) || ids.length > 100_000 || !ids.every((i) => typeof i === 'string' && IMAGE_ID.test(i))) throw new GatewayError('GW_ERR_BAD_REQUEST', 'the body is {"ids": ["<64 hex>", ...]}')
        const missing: Record<string, number> = {}
        // A few disk looks at a time, not one after another: a batch of a thousand small blobs is common.
        const looks = new Limiter(16)
        await Promise.all(
          (ids as string[]).map((id) =>
            looks.run(async () => {
              if (!(await holdsFor(l, id))) missing[id] = await d.blobs.partialSize(id)
            }),
          ),
        )
        return sendJson(ctx, 200, { missing }, { 'cache-control': 'no-store' })
      }
      onlyMethods(ctx, 'HEAD', 'PUT')
      const id = rest.startsWith('sha256:') ? rest.slice(7) : ''
      if (!IMAGE_ID.test(id)) throw new GatewayError('GW_ERR_BAD_REQUEST', 'a blob is sha256:<64 lower-case hex digits>')
      if (ctx.method === 'HEAD') {
        const has = await holdsFor(l, id)
        ctx.res.writeHead(has ? 200 : 404, { [PARTIAL_HEADER]: has ? '0' : String(await d.blobs.partialSize(id)), 'cache-control': 'no-store' })
        return void ctx.res.end()
      }
      const offset = Number(ctx.req.headers[OFFSET_HEADER] ?? '0')
      const size = Number(ctx.req.headers[SIZE_HEADER])
      if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(size) || size < offset) throw new GatewayError('GW_ERR_BAD_REQUEST', `${OFFSET_HEADER} and ${SIZE_HEADER} are byte counts, offset ≤ size`)
      if (size > d.maxUploadBytes) throw new GatewayError('GW_ERR_TOO_LARGE')
      const kept = await d.blobs.partialSize(id)
      if (offset !== 0 && offset !== kept) throw new GatewayError('GW_ERR_CONFLICT', `${kept} bytes of sha256:${id} are kept; continue from there`)
      const pins = uploadPins.get(l.name) ?? []
      uploadPins.set(l.name, pins)
      pins.push(await d.blobs.pins.pin([id]))
      const stored = d.uploads.starting(l.id, id)
      await d.blobs.write(id, ctx.req, { resume: offset > 0, resumeAt: offset, expectedSize: size, verifyHeld: true, onChunk: (n) => d.traffic.bytesIn(l.name, n) })
      await stored()
      ctx.res.writeHead(201, { 'cache-control': 'no-store' })
      ctx.res.end()
    },
  }

  /** Applies an upload: all in scope or nothing (403), every blob present or nothing (409). */
  const upload = async (ctx: RequestContext, l: LinkInfo): Promise<void> => {
    checkLink(l, 'upload')
    const body = (await readJson(ctx.req, 64 * 1024 * 1024)) as unknown as UploadBatch
    if (typeof body.site !== 'string' || !SITE_NAME.test(body.site) || !Array.isArray(body.changes)) throw new GatewayError('GW_ERR_BAD_REQUEST', 'the body is {"site", "store", "upTo", "changes": [...]}')
    if (typeof body.store !== 'string' || body.store === '') throw new GatewayError('GW_ERR_BAD_REQUEST', 'store is the id of the sender\'s store (its log\'s numbering)')
    if (!Number.isSafeInteger(body.upTo) || body.upTo < 0) throw new GatewayError('GW_ERR_BAD_REQUEST', 'upTo is a revision of the sender\'s log: an integer ≥ 0')
    if (body.changes.length > d.pageLimit) throw new GatewayError('GW_ERR_TOO_LARGE', `at most ${d.pageLimit} changes per upload`)
    const byRepo = new Map<RepoName, Change[]>()
    /** The blobs the batch tags: the link's record of having uploaded them ends with its commit. */
    const named = new Set<string>()
    for (const c of body.changes) {
      const problem = changeProblem(c)
      if (problem !== undefined) throw new GatewayError('GW_ERR_BAD_REQUEST', problem)
      if (c.op === 'tag') named.add(c.image!.id)
      // A withdrawal goes with the changes, where deletes may not: it removes only its origin's value.
      checkLink(l, c.op === 'untag' && !c.aside ? 'deleteUploaded' : 'upload', c.repo)
      const list = byRepo.get(c.repo)
      if (list) list.push(c)
      else byRepo.set(c.repo, [c])
    }
    // Only the owner publishes in what it owns: another site's change to it is never applied here.
    const owned = (repo: RepoName) => ownsAny(d.site.owns, repo)
    // Each repository commits on its own: all are checked first, so a refusal leaves every one as it was.
    // A blob held only for repositories beyond the link counts as missing (as in POST …/blobs): tagged,
    // the token could read it through its own repository, and the answer would say the site holds it.
    const held = (id: string) => holdsFor(l, id)
    // Pinned from the check to the commit: after a restart, no pin of the blob's upload is left.
    const release = await d.blobs.pins.pin(named)
    try {
      for (const [repo, changes] of byRepo) if (!owned(repo)) await d.repos.checkRemote(repo, changes, { via: body.site, deletes: true, held })
      // Its place in this site's log and the `via` of what it sends are the site's its token speaks for
      // (bound here, once nothing else refuses the batch).
      await speaksFor(l, body.site)
      let applied = 0
      let notOwner = 0
      for (const [repo, changes] of byRepo) {
        if (owned(repo)) {
          const n = d.traffic.notOwner(l.name, d.site.name, changes)
          if (n) d.log.warn({ link: l.name, peer: body.site, repo, changes: n }, `changes to ${repo}, owned by ${d.site.name}, made elsewhere: not applied`)
          notOwner += n
          continue
        }
        const r = await d.repos.applyRemote(repo, changes, { via: body.site, deletes: true })
        applied += r.applied
        await d.state.recordConflicts(r.conflicts)
        // A value withdrawn here may have replaced another that is due again: every peer's log is read again.
        if (r.withdrawn) await d.state.resetVectors()
      }
      await d.state.setVector(body.site, { store: body.store, rev: body.upTo })
      for (const done of uploadPins.get(l.name)?.splice(0) ?? []) done()
      await d.uploads.forget(l.id, named)
      d.traffic.received(l.name, applied)
      d.traffic.echoes(l.name, d.site.name, body.changes)
      sendJson(ctx, 200, { applied, notOwner }, { 'cache-control': 'no-store' })
    } finally {
      release()
    }
  }

  return [
    {
      name: 'federation-link',
      stage: 'repository',
      match: (ctx) => ctx.path.startsWith(LINK_PREFIX + '/'),
      handle(ctx) {
        const rest = ctx.path.slice(LINK_PREFIX.length + 1)
        const slash = rest.indexOf('/')
        const verb = slash < 0 ? rest : rest.slice(0, slash)
        const h = Object.hasOwn(handlers, verb) ? handlers[verb] : undefined
        if (!h || (verb !== 'blobs' && slash >= 0)) throw new GatewayError('GW_ERR_NOT_FOUND', `no link resource ${verb}`)
        return h(ctx, slash < 0 ? '' : rest.slice(slash + 1))
      },
    },
  ]
}

/** An entry from before origins were recorded is this site's own. */
function withOrigin(site: string): (c: Change) => Change {
  return (c) => (c.origin ? c : { ...c, origin: site, originRev: c.rev })
}
