// Speaks the npm registry protocol to the root (e.g. Verdaccio) with the site's key, over the client it
// is given (the core's sync pool for syncs, the npm plugin's own for proxied packuments): packuments,
// tarballs, and a search to expand `@scope/*`. Every outcome feeds the root's health, so forwarding,
// the hub sync and this agree on whether the root is up.
import type { Readable } from 'node:stream'
import type { Dispatcher } from 'undici'
import { GatewayError, upstreamError } from '../../gateway/errors.ts'
import { scrubSecrets } from '../../gateway/config/secret.ts'
import type { RootAnswer } from '../../gateway/http-cache/http-cache.ts'
import type { RootClient } from '../../gateway/upstream/root-client.ts'
import type { RootHealth } from '../../gateway/upstream/root-health.ts'
import { requestRoot } from '../../gateway/upstream/root-request.ts'
import { requestSignal } from '../../gateway/util/request-signal.ts'
import { tarballFile, tarballPath } from './names.ts'
import { DEFAULT_MAX_PACKUMENT_BYTES } from './options.ts'
import { asPackument, type Packument } from './packument.ts'

export class RegistryUpstream {
  constructor(
    private readonly client: RootClient,
    private readonly health: RootHealth | undefined,
    private readonly o: { requestTimeout: number; signal: AbortSignal; maxPackumentBytes?: number },
  ) {}

  /** The root's origin, for logs and the request log line. */
  get origin(): string {
    return this.client.origin
  }

  /** The largest packument read from the root (npm.maxPackumentBytes). */
  get maxPackumentBytes(): number {
    return this.o.maxPackumentBytes ?? DEFAULT_MAX_PACKUMENT_BYTES
  }

  /** The full packument, or undefined when the root has no such package. */
  async packument(name: string): Promise<Packument | undefined> {
    const res = await this.request(packumentPath(name), { accept: 'application/json' })
    if (res.statusCode === 404) {
      await res.body.dump().catch(() => {})
      return undefined
    }
    if (res.statusCode !== 200) throw statusError(`packument ${name}`, res.statusCode, await refusalReason(res))
    const what = `the root's packument for ${name}`
    return asPackument(await this.boundedJson(res, what), what)
  }

  /** Opens a tarball download; the caller consumes or destroys the body. */
  async tarball(name: string, url: string): Promise<Readable> {
    // The key goes only to the root's origin: a tarball elsewhere is asked for at the root's own path.
    let path = this.client.basePath + tarballPath(name, tarballFile(url))
    try {
      const u = new URL(url)
      if (u.origin === this.client.origin) path = u.pathname
    } catch {
      // a relative URL: the root's own path
    }
    const res = await this.request(path, { accept: 'application/octet-stream' }, { absolute: true, timed: false })
    if (res.statusCode !== 200) {
      await res.body.dump().catch(() => {})
      throw statusError(`tarball ${tarballFile(url)}`, res.statusCode)
    }
    return res.body
  }

  /** Names at the root that start with `prefix` (`@acme/`), through the registry search API. */
  async search(prefix: string): Promise<string[]> {
    const text = prefix.replace(/\/$/, '')
    const res = await this.request(`/-/v1/search?text=${encodeURIComponent(text)}&size=250`, { accept: 'application/json' })
    if (res.statusCode !== 200) {
      await res.body.dump().catch(() => {})
      throw statusError('search', res.statusCode)
    }
    const body = (await this.boundedJson(res, "the root's search answer")) as { objects?: { package?: { name?: string } }[] }
    return (body.objects ?? []).map((o) => o.package?.name).filter((n): n is string => typeof n === 'string' && n.startsWith(prefix))
  }

  /**
   * A JSON body from the root, parsed, at most maxPackumentBytes: refused on its Content-Length, else cut
   * off (body destroyed, so the connection closes) as soon as it passes the limit, never held whole.
   * `received` hears of each chunk kept, for a caller that accounts for the bytes it holds.
   */
  async boundedJson(res: RootAnswer, what: string, received?: (bytes: number) => void): Promise<unknown> {
    const limit = this.maxPackumentBytes
    const tooLarge = () => new GatewayError('GW_ERR_ROOT_BAD_RESPONSE', `${what} is larger than npm.maxPackumentBytes (${limit} bytes)`)
    if (Number(res.headers['content-length']) > limit) {
      // Destroyed unread, the body reports an abort that nobody is left to hear.
      res.body.on('error', () => {})
      res.body.destroy()
      throw tooLarge()
    }
    const chunks: Buffer[] = []
    let size = 0
    try {
      for await (const chunk of res.body as AsyncIterable<Buffer>) {
        size += chunk.length
        if (size > limit) throw tooLarge()
        chunks.push(chunk)
        received?.(chunk.length)
      }
    } catch (err) {
      res.body.destroy()
      throw this.bodyFailed(err)
    }
    try {
      return JSON.parse(Buffer.concat(chunks, size).toString('utf8'))
    } catch {
      throw new GatewayError('GW_ERR_ROOT_BAD_RESPONSE', `${what} is not JSON`)
    }
  }

  /** A body that failed mid-stream, in catalogue terms, counted against the root if a transport fault. */
  bodyFailed(err: unknown): GatewayError {
    if (err instanceof GatewayError) return err
    const ge = upstreamError(err)
    if (!this.o.signal.aborted) this.health?.report(ge)
    return ge
  }

  /**
   * One GET to `path` (already carrying the root's base path when `absolute`), with the site's key.
   * Ended when the site stops and, unless `timed` is false (a tarball takes as long as it takes), after
   * requestTimeout, body included: the caller reads or dumps the body. `headersTimeout` shortens the
   * wait for the response head (an npm client's packument: npm.clientHeadersTimeout).
   */
  async request(path: string, headers: Record<string, string>, o: { absolute?: boolean; timed?: boolean; headersTimeout?: number } = {}): Promise<Dispatcher.ResponseData> {
    const deadline = o.timed === false ? undefined : requestSignal(this.o.signal, this.o.requestTimeout)
    try {
      const res = await requestRoot(this.client, this.health, {
        path: o.absolute ? path : this.client.basePath + path,
        method: 'GET',
        headers: { ...headers, ...this.client.keyHeaders() },
        signal: deadline?.signal ?? this.o.signal,
        headersTimeout: Math.min(o.headersTimeout ?? Infinity, this.o.requestTimeout),
        bodyTimeout: this.o.requestTimeout,
      })
      // Read, dumped or destroyed, the body closes: only then is the deadline over.
      if (deadline && res.body.closed) deadline.release()
      else if (deadline) res.body.once('close', deadline.release)
      return res
    } catch (err) {
      deadline?.release()
      throw err
    }
  }

}

/** `/left-pad`, `/@acme%2futil`: the spelling every registry accepts. */
export function packumentPath(name: string): string {
  return '/' + name.replace('/', '%2f')
}

/**
 * The root's answer other than 200 (and 404, which callers take as "no such package"), in catalogue terms:
 * 401 and 403 are the site's key refused (GW_ERR_ROOT_REFUSED), with the root's `reason` when it gave one.
 */
export function statusError(what: string, status: number, reason?: string): GatewayError {
  if (status === 401 || status === 403) return new GatewayError('GW_ERR_ROOT_REFUSED', `${what}: the root answered ${status}${reason ? ` (${reason})` : ''}`)
  return new GatewayError('GW_ERR_ROOT_BAD_RESPONSE', `${what}: the root answered ${status}`)
}

/** Bytes of a refusal read for its reason: a registry's error is a line of JSON. */
const REASON_BYTES = 4096

/**
 * The `error` text of a registry's error answer (`{"error": "…"}`, what npm prints), from at most its
 * first REASON_BYTES, on one line and clipped; undefined when there is none. The body is consumed or
 * destroyed. The site's key, should the root echo it, is masked here, before the clip (and again where the
 * answer is sent, sendNpmError).
 */
export async function refusalReason(res: RootAnswer): Promise<string | undefined> {
  res.body.on('error', () => {}) // destroyed unread past the bound: that abort has no one to tell
  const chunks: Buffer[] = []
  let size = 0
  try {
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      chunks.push(chunk)
      size += chunk.length
      if (size >= REASON_BYTES) break
    }
    const error = (JSON.parse(Buffer.concat(chunks, size).toString('utf8')) as { error?: unknown })?.error
    // Masked before it is clipped: a clip inside an echoed key leaves a part the masking cannot find.
    return typeof error === 'string' && error !== '' ? scrubSecrets(error.replace(/[\u0000-\u001f\u007f]+/g, ' ')).slice(0, 200) : undefined
  } catch {
    return undefined // cut, not JSON, or no answer at all: the status says enough
  } finally {
    if (!res.body.readableEnded) res.body.destroy()
  }
}
