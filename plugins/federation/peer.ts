// The outgoing side's client for one link: the link protocol (wire.ts) spoken to the peer with the
// link's token, over a pool of its own.
import type { Readable } from 'node:stream'
import type { Dispatcher } from 'undici'
import { GatewayError, PEER_FAILURES, upstreamError } from '../../gateway/errors.ts'
import type { Secret } from '../../gateway/config/secret.ts'
import { createRootClient, type RootClient } from '../../gateway/upstream/root-client.ts'
import { requestSignal } from '../../gateway/util/request-signal.ts'
import { LINK_PREFIX, OFFSET_HEADER, PARTIAL_HEADER, SIZE_HEADER, type HelloAnswer, type HelloRequest, type LinkPage, type LinkSnapshot, type UploadBatch } from './wire.ts'

export interface PeerOptions {
  url: URL
  token: Secret
  ca?: string
  requestTimeout: number
  signal: AbortSignal
}

/**
 * Blob transfers in flight each way on one link. Small blobs cost disk round trips (open, write, fsync,
 * rename) more than bytes, so many in flight keep the disks and the link busy.
 */
export const BLOB_SLOTS = 16

export class Peer {
  readonly #client: RootClient

  constructor(private readonly o: PeerOptions) {
    // Connections for both ways' blob transfers at once, and the JSON requests beside them.
    this.#client = createRootClient({ url: o.url, ca: o.ca, key: o.token, keyHeader: 'authorization', connectTimeout: 10_000, headersTimeout: o.requestTimeout, connections: 2 * BLOB_SLOTS + 2 })
  }

  /** The pool and the token's header, for the change-stream subscription. */
  get client(): RootClient {
    return this.#client
  }

  get url(): string {
    return this.#client.origin + this.#client.basePath
  }

  hello(me: HelloRequest): Promise<HelloAnswer> {
    return this.#json('POST', '/hello', me) as Promise<HelloAnswer>
  }

  async changes(since: number, me: string): Promise<LinkPage | 'too-old'> {
    const r = await this.#json('GET', `/changes?since=${since}&peer=${me}`, undefined, [410])
    return r === 410 ? 'too-old' : (r as LinkPage)
  }

  snapshot(): Promise<LinkSnapshot> {
    return this.#json('GET', '/snapshot') as Promise<LinkSnapshot>
  }

  upload(batch: UploadBatch): Promise<{ applied: number }> {
    return this.#json('POST', '/changes', batch) as Promise<{ applied: number }>
  }

  /** Of `ids`, the blobs the peer lacks, each with the bytes it kept of an interrupted upload. */
  async missing(ids: string[]): Promise<Record<string, number>> {
    return ((await this.#json('POST', '/blobs', { ids })) as { missing: Record<string, number> }).missing
  }

  /** Does the peer hold the blob, and how many bytes of an interrupted upload does it keep? */
  async blobAt(id: string): Promise<{ has: boolean; partial: number }> {
    const res = await this.#request({ path: `${LINK_PREFIX}/blobs/sha256:${id}`, method: 'HEAD' })
    await res.body.dump()
    if (res.statusCode !== 200 && res.statusCode !== 404) throw statusError('blob check', res.statusCode)
    return { has: res.statusCode === 200, partial: Number(res.headers[PARTIAL_HEADER] ?? 0) || 0 }
  }

  /**
   * Uploads the blob from byte `offset`: 'stored', or 'moved' when the peer's part of it is no longer
   * `offset` bytes (409: another link's upload of the same blob moved or finished it meanwhile).
   */
  async putBlob(id: string, offset: number, size: number, body: Readable): Promise<'stored' | 'moved'> {
    const res = await this.#request({ path: `${LINK_PREFIX}/blobs/sha256:${id}`, method: 'PUT', headers: { [OFFSET_HEADER]: String(offset), [SIZE_HEADER]: String(size), 'content-type': 'application/octet-stream' }, body })
    const text = await res.body.text()
    if (res.statusCode === 409) return 'moved'
    if (res.statusCode !== 201) throw statusError(`blob upload ${id.slice(0, 12)}`, res.statusCode, text)
    return 'stored'
  }

  /** A blob download from the peer's hub API, from byte `from` on. */
  async blob(id: string, from: number): Promise<{ from: number; body: Readable }> {
    const res = await this.#request({ path: `/api/v1/blobs/sha256:${id}`, method: 'GET', headers: from > 0 ? { range: `bytes=${from}-` } : {}, bodyTimeout: this.o.requestTimeout })
    if (res.statusCode === 206 && from > 0 && String(res.headers['content-range'] ?? '').startsWith(`bytes ${from}-`)) return { from, body: res.body }
    if (res.statusCode === 200) return { from: 0, body: res.body }
    await res.body.dump().catch(() => {})
    if (res.statusCode === 404) throw new PeerBlobMissing(id)
    throw statusError(`blob ${id.slice(0, 12)}`, res.statusCode)
  }

  close(): Promise<void> {
    return this.#client.close()
  }

  async #json(method: string, path: string, body?: unknown, pass: number[] = []): Promise<unknown> {
    const deadline = requestSignal(this.o.signal, this.o.requestTimeout)
    try {
      const res = await this.#request({ path: LINK_PREFIX + path, method: method as Dispatcher.HttpMethod, headers: { accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined, signal: deadline.signal })
      if (pass.includes(res.statusCode)) {
        await res.body.dump()
        return res.statusCode
      }
      const text = await res.body.text()
      if (res.statusCode !== 200) throw statusError(path.split('?')[0]!, res.statusCode, text)
      return JSON.parse(text) as unknown
    } finally {
      deadline.release()
    }
  }

  async #request(o: Omit<Dispatcher.RequestOptions, 'path'> & { path: string }): Promise<Dispatcher.ResponseData> {
    try {
      return await this.#client.pool.request({ signal: this.o.signal, ...o, path: this.#client.basePath + o.path, headers: { ...this.#client.keyHeaders(), ...(o.headers as Record<string, string>) } })
    } catch (err) {
      throw upstreamError(err, PEER_FAILURES)
    }
  }
}

/**
 * The peer does not serve a blob a change in its log names: it serves the blobs its snapshots reference,
 * and a later change replaced or deleted that tag (link-engine.ts reads the whole state then).
 */
export class PeerBlobMissing extends GatewayError {
  constructor(id: string) {
    super('GW_ERR_PEER_BAD_RESPONSE', `blob ${id.slice(0, 12)}: the peer answered 404`)
  }
}

/** The peer's answer as an error naming the status and the peer's own reason (its error body holds no secret). */
function statusError(what: string, status: number, body = ''): GatewayError {
  let reason = ''
  try {
    reason = (JSON.parse(body) as { error?: { message?: string } }).error?.message ?? ''
  } catch {
    // not JSON: the status says enough
  }
  return new GatewayError('GW_ERR_PEER_BAD_RESPONSE', `${what}: the peer answered ${status}${reason ? ` (${reason})` : ''}`)
}
