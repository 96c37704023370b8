// Repository reads (info, image by reference, content), publish (PUT) and tag delete.
import { GatewayError } from '../../../gateway/errors.ts'
import type { RequestContext } from '../../../gateway/plugin-api.ts'
import type { ImageRecord, RepoState } from '../model.ts'
import { tagImage, untag } from '../store/tag-updates.ts'
import { PinSet } from '../store/blob-pins.ts'
import { linkCovers } from '../links.ts'
import { checkTag, IMAGE_ID } from '../names.ts'
import { revisionHeaders, type HubDeps } from './deps.ts'
import { matchesEtag, notModified, onlyMethods, sendJson } from './http.ts'

export function repoHandlers(d: HubDeps) {
  const read = async (ctx: RequestContext, repo: string): Promise<RepoState> => {
    if (d.options.readsNeedKey) await d.authorize(ctx, 'read', repo)
    const state = await d.repos.get(repo)
    if (!state) throw new GatewayError('GW_ERR_NOT_FOUND', `no repository ${repo} here`)
    return state
  }

  const notServed = (id: string) => new GatewayError('GW_ERR_NOT_FOUND', `blob sha256:${id} is not served here`)

  /** @param reusable no key was asked for: the answer is public and may be repeated while the blob is still served */
  const serveBlob = (ctx: RequestContext, id: string, reusable: boolean): void | Promise<void> => {
    // Only what a served snapshot references: a blob on its way in or out is not served.
    if (!d.repos.references(id)) throw notServed(id)
    return reusable ? d.responder.send(ctx, id, 'public', () => d.repos.references(id)) : d.responder.send(ctx, id, 'private')
  }

  const resolve = (state: RepoState, ref: string): ImageRecord => {
    const id = ref.startsWith('sha256:') ? ref.slice(7) : state.tags[ref]
    const image = id ? state.images[id] : undefined
    if (!image) throw new GatewayError('GW_ERR_NOT_FOUND', `no image ${ref} in ${state.name}`)
    return image
  }

  return {
    async info(ctx: RequestContext, repo: string): Promise<void> {
      onlyMethods(ctx, 'GET', 'HEAD')
      const state = await read(ctx, repo)
      // With the store: a replaced store reaching the same revision must not answer 304 to the old one's ETag.
      const etag = `"r${state.revision}-${d.repos.storeId}"`
      ctx.cache = 'hit'
      if (matchesEtag(ctx.req, etag)) return notModified(ctx, { etag, ...revisionHeaders(d) })
      sendJson(ctx, 200, { name: state.name, revision: state.revision, tags: state.tags, images: state.images }, { etag, ...revisionHeaders(d) })
    },

    async image(ctx: RequestContext, repo: string, ref: string): Promise<void> {
      if (ctx.method === 'PUT') return this.publish(ctx, repo, ref)
      onlyMethods(ctx, 'GET', 'HEAD', 'PUT')
      const state = await read(ctx, repo)
      const image = resolve(state, ref)
      const tags = Object.keys(state.tags).filter((t) => state.tags[t] === image.id).sort()
      ctx.cache = 'hit'
      sendJson(ctx, 200, { ...image, digest: `sha256:${image.id}`, tags })
    },

    async content(ctx: RequestContext, repo: string, ref: string): Promise<void> {
      onlyMethods(ctx, 'GET', 'HEAD')
      const image = resolve(await read(ctx, repo), ref)
      await d.responder.send(ctx, image.id, d.options.readsNeedKey ? 'private' : 'public')
    },

    async publish(ctx: RequestContext, repo: string, tag: string): Promise<void> {
      if (tag.startsWith('sha256:')) throw new GatewayError('GW_ERR_BAD_REQUEST', 'publish to a tag, not a digest')
      checkTag(tag)
      // RFC 9110 §14.5: a partial PUT must be refused, or its part is stored as the whole image.
      if (ctx.req.headers['content-range'] !== undefined) throw new GatewayError('GW_ERR_BAD_REQUEST', 'a publish sends the whole image: Content-Range is not accepted')
      // A gzip'd body would be stored, and its digest taken, as the compressed bytes (RFC 9110 §15.5.16).
      const coding = ctx.req.headers['content-encoding']
      if (coding !== undefined && coding.trim().toLowerCase() !== 'identity') throw new GatewayError('GW_ERR_UNSUPPORTED_ENCODING', `Content-Encoding: ${coding.slice(0, 32)}`)
      const latest = latestParam(ctx)
      // Before the key: a publish at the wrong site is told where to go, whoever sends it.
      await d.ownership.check(repo)
      await d.authorize(ctx, 'publish', repo)
      const announced = ctx.req.headers['x-content-digest']
      let expectedId: string | undefined
      if (announced !== undefined) {
        expectedId = typeof announced === 'string' && announced.startsWith('sha256:') ? announced.slice(7) : ''
        if (!IMAGE_ID.test(expectedId)) throw new GatewayError('GW_ERR_BAD_REQUEST', 'X-Content-Digest is sha256:<64 lower-case hex digits>')
      }
      const length = ctx.req.headers['content-length']
      if (length !== undefined && Number(length) > d.options.maxUploadBytes) throw new GatewayError('GW_ERR_TOO_LARGE')
      // The bytes are stored and verified before any tag moves. Pinned from then until the commit is
      // done: unreferenced till then, a collection of this process would otherwise remove them.
      const pins = new PinSet(d.blobs.pins)
      try {
        const { id, size } = await d.blobs.ingest(ctx.req, { expectedId, maxSize: d.options.maxUploadBytes, isRequest: true, pin: (id) => pins.add(id) })
        // Again once the bytes are in: a link's hello may have taught the owner meanwhile (a long upload),
        // and set aside what was published here before; this value must not land after that.
        await d.ownership.check(repo)
        const state = await d.repos.commit(repo, tagImage(tag, { id, size }, { latest, at: new Date(d.clock.now()).toISOString() }))
        const image = state.images[id]!
        sendJson(ctx, 201, { ...image, digest: `sha256:${id}`, tags: Object.keys(state.tags).filter((t) => state.tags[t] === id).sort(), revision: state.revision })
      } finally {
        pins.release()
      }
    },

    async deleteTag(ctx: RequestContext, repo: string, tag: string): Promise<void> {
      onlyMethods(ctx, 'DELETE')
      await d.ownership.check(repo)
      await d.authorize(ctx, 'publish', repo)
      await d.repos.commit(repo, untag(repo, tag))
      ctx.res.writeHead(204, { 'cache-control': 'no-store' })
      ctx.res.end()
    },

    /** Synchronous when no key is needed and the blob is hot: the commonest request makes no promise. */
    blob(ctx: RequestContext, id: string): void | Promise<void> {
      onlyMethods(ctx, 'GET', 'HEAD')
      // A value set aside when its namespace turned out another site's is the operator's to publish again.
      if (!d.repos.references(id) && d.repos.holdsAside(id)) return d.authorize(ctx, 'admin').then(() => d.responder.send(ctx, id, 'private'))
      if (d.options.readsNeedKey) {
        return d.authorize(ctx, 'read').then((caller) => {
          // A link's token reads only the blobs of its link's repositories; any other is unknown to it.
          const link = caller.link
          if (link && !d.repos.referencedBy(id, (repo) => linkCovers(link, repo))) throw notServed(id)
          return serveBlob(ctx, id, false)
        })
      }
      return serveBlob(ctx, id, true)
    },
  }
}

/** `?latest=false` keeps `latest` where it is; absent or `true` moves it. Anything else, or twice, is refused. */
function latestParam(ctx: RequestContext): boolean {
  const values = new URLSearchParams(ctx.query.slice(1)).getAll('latest')
  if (values.length === 0) return true
  if (values.length > 1 || (values[0] !== 'true' && values[0] !== 'false')) throw new GatewayError('GW_ERR_BAD_REQUEST', 'latest is true or false, given once')
  return values[0] === 'true'
}
