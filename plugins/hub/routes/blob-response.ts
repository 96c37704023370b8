// Answers a blob: ETag = digest, immutable caching (shared caches only for a blob anyone may read),
// If-None-Match → 304, one Range → 206, HEAD.
// Small blobs come from the hot tier (memory); the rest stream from disk, never buffered whole.
import { createReadStream } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { pipeline } from 'node:stream/promises'
import { LRUCache } from 'lru-cache'
import { GatewayError } from '../../../gateway/errors.ts'
import type { RequestContext } from '../../../gateway/plugin-api.ts'
import type { FileBlobStore } from '../store/blob-store.ts'
import { matchesEtag, notModified } from './http.ts'

/**
 * `public` when the blob was answered with no key asked for; `private` after a key check, so that a
 * shared cache in front of the site cannot hand it to anyone who knows the digest.
 */
export type BlobAccess = 'public' | 'private'

export class BlobResponder {
  readonly #blobs: FileBlobStore
  readonly #hot: LRUCache<string, Buffer>
  readonly #hotMax: number
  readonly #missing?: (ctx: RequestContext) => Promise<void>

  /** `missing` answers a blob that is not on this node's disk (else 404). */
  constructor(blobs: FileBlobStore, o: { hotBytes: number; hotBlobMax: number; missing?: (ctx: RequestContext) => Promise<void> }) {
    this.#blobs = blobs
    this.#hotMax = o.hotBlobMax
    this.#missing = o.missing
    this.#hot = new LRUCache<string, Buffer>({ maxSize: Math.max(1, o.hotBytes), sizeCalculation: (b) => Math.max(1, b.length) })
  }

  /** Forgets a blob (after it was collected). */
  forget(id: string): void {
    this.#hot.delete(id)
  }

  /**
   * Synchronous for a blob in the hot tier (most cache hits): no promise is made for them.
   * @param access whether a key was checked before this answer (then `private`)
   * @param stillHolds given when a whole answer from memory may be repeated (docs/lifecycle.md, step 1)
   *   while it returns true: it must cover what the blob's route matches on
   */
  send(ctx: RequestContext, id: string, access: BlobAccess, stillHolds?: () => boolean): void | Promise<void> {
    const etag = `"sha256:${id}"`
    if (matchesEtag(ctx.req, etag)) {
      ctx.cache = 'hit'
      return notModified(ctx, blobHeaders(etag, access))
    }
    // A private answer is never repeated to whoever asks next.
    const holds = access === 'public' ? stillHolds : undefined
    const body = this.#hot.get(id)
    return body ? this.#answer(ctx, id, body.length, etag, access, body, holds) : this.#sendStored(ctx, id, etag, access, holds)
  }

  async #sendStored(ctx: RequestContext, id: string, etag: string, access: BlobAccess, stillHolds: (() => boolean) | undefined): Promise<void> {
    const size = await this.#blobs.size(id)
    if (size === undefined && this.#missing) return this.#missing(ctx)
    if (size === undefined) throw new GatewayError('GW_ERR_NOT_FOUND', `blob sha256:${id} is not stored here`)
    let body: Buffer | undefined
    if (size <= this.#hotMax && ctx.method !== 'HEAD') {
      body = await readFile(this.#blobs.path(id))
      this.#hot.set(id, body)
    }
    return this.#answer(ctx, id, size, etag, access, body, stillHolds)
  }

  /** Status, length and range for a blob of `size`; the bytes from `body` when in memory, else from disk. */
  #answer(ctx: RequestContext, id: string, size: number, etag: string, access: BlobAccess, body: Buffer | undefined, stillHolds: (() => boolean) | undefined): void | Promise<void> {
    ctx.cache = 'hit'
    const { range: rangeHeader, 'if-range': ifRange } = ctx.req.headers
    const range = rangeHeader === undefined || (ifRange !== undefined && ifRange !== etag) ? undefined : parseRange(rangeHeader, size)
    if (range === 'unsatisfiable') throw new GatewayError('GW_ERR_RANGE_NOT_SATISFIABLE', undefined, { 'content-range': `bytes */${size}` })
    const [start, end] = range ?? [0, size - 1]
    const headers = blobHeaders(etag, access, Math.max(0, end - start + 1))
    if (range) headers['content-range'] = `bytes ${start}-${end}/${size}`
    ctx.res.writeHead(range ? 206 : 200, headers)
    if (ctx.method === 'HEAD') return void ctx.res.end()
    if (body && range) return void ctx.res.end(body.subarray(start, end + 1))
    // The whole blob goes out as the stored buffer itself: no view is made for it.
    if (body) {
      if (stillHolds && size > 0) ctx.reusable({ headers, body, stillHolds })
      return void ctx.res.end(size === 0 ? undefined : body)
    }
    return pipeline(createReadStream(this.#blobs.path(id), { start, end, highWaterMark: 256 * 1024 }), ctx.res).catch((err: unknown) => {
      // The client went away, or the blob was collected mid-read: cut the response, never pad it.
      ctx.res.destroy(err as Error)
    })
  }
}

const CACHE_CONTROL: Record<BlobAccess, string> = { public: 'public, max-age=31536000, immutable', private: 'private, max-age=31536000, immutable' }

/** A blob answer's headers, in one object literal (one shape for every answer); a 304 has no length. */
function blobHeaders(etag: string, access: BlobAccess, length?: number): Record<string, string | number> {
  const cacheControl = CACHE_CONTROL[access]
  return length === undefined
    ? { etag, 'cache-control': cacheControl, 'accept-ranges': 'bytes' }
    : { etag, 'cache-control': cacheControl, 'accept-ranges': 'bytes', 'content-type': 'application/octet-stream', 'content-length': length }
}

/**
 * One `bytes=` range, clipped to the blob; undefined to answer whole (none, malformed, several, or a last
 * position before the first, which RFC 9110 §14.1.1 makes invalid and so ignored).
 */
export function parseRange(header: string | undefined, size: number): [number, number] | 'unsatisfiable' | undefined {
  if (!header) return undefined
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim())
  if (!m || (m[1] === '' && m[2] === '')) return undefined
  if (m[1] === '') {
    // A suffix of nothing, or of an empty blob, selects no byte.
    const n = Number(m[2])
    if (n === 0 || size === 0) return 'unsatisfiable'
    return [Math.max(0, size - n), size - 1]
  }
  const start = Number(m[1])
  if (m[2] !== '' && Number(m[2]) < start) return undefined
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1)
  if (start >= size) return 'unsatisfiable'
  return [start, end]
}
