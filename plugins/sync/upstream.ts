// Speaks the hub API (docs/protocol.md) to this site's upstream with the site's key, over the core's
// sync pool (its own connections, apart from clients' and the probes'); every outcome feeds the root's
// health so forwarding and sync agree on whether it is up.
import type { Readable } from 'node:stream'
import type { Dispatcher } from 'undici'
import { GatewayError, upstreamError } from '../../gateway/errors.ts'
import type { RootClient } from '../../gateway/upstream/root-client.ts'
import type { RootHealth } from '../../gateway/upstream/root-health.ts'
import { requestRoot } from '../../gateway/upstream/root-request.ts'
import { requestSignal } from '../../gateway/util/request-signal.ts'
import type { ChangePage, ImageRecord, RepoName } from '../hub/model.ts'
import { STORE_HEADER } from '../hub/store/store-id.ts'

export interface UpstreamRepo {
  name: RepoName
  revision: number
  tags: Record<string, string>
  images: Record<string, ImageRecord>
  /** Whose numbering `revision` is in (the answer's `fedgate-store`); undefined when the upstream does not say. */
  store?: string
}

export interface UpstreamChanges extends ChangePage {
  /** As UpstreamRepo.store; undefined too when the pages disagree (the store was replaced meanwhile). */
  store?: string
}

export interface BlobResponse {
  /** 200: the whole blob; 206: from `from` on. */
  status: 200 | 206
  from: number
  body: Readable
}

export interface UpstreamOptions {
  requestTimeout: number
  blobIdleTimeout: number
  /** Aborted when the site stops: every request in flight ends. */
  signal: AbortSignal
}

export class Upstream {
  constructor(
    private readonly client: RootClient,
    private readonly health: RootHealth | undefined,
    private readonly o: UpstreamOptions,
  ) {}

  /** The repository whole, or undefined when the upstream has no such repository. */
  async repo(name: RepoName): Promise<UpstreamRepo | undefined> {
    const r = await this.#json(`/api/v1/repos/${name}`)
    return r.status === 404 ? undefined : { ...(r.body as UpstreamRepo), store: r.store }
  }

  /**
   * Changes after `since` for one repository (every repository without `repo`), following `more` pages;
   * 'too-old' on 410; 'too-long' when more than `maxPages` pages would be needed.
   */
  async changes(since: number, repo?: RepoName, maxPages = Infinity): Promise<UpstreamChanges | 'too-old' | 'too-long'> {
    const all: UpstreamChanges = { revision: since, changes: [] }
    let from = since
    for (let pages = 1; ; pages++) {
      const first = pages === 1
      if (pages > maxPages) return 'too-long'
      const r = await this.#json(`/api/v1/federation/changes?since=${from}${repo === undefined ? '' : `&repo=${encodeURIComponent(repo)}`}`, [410])
      if (r.status === 410) return 'too-old'
      if (r.status === 404) throw new GatewayError('GW_ERR_ROOT_BAD_RESPONSE', 'the upstream has no change feed')
      const page = r.body as ChangePage
      if (first) all.store = r.store
      else if (r.store !== all.store) all.store = undefined
      all.changes.push(...page.changes)
      all.revision = page.revision
      const last = page.changes.at(-1)
      if (!page.more || !last) return all
      from = last.rev
    }
  }

  /** Every repository name the upstream serves, to expand `ns/*` patterns. */
  async repos(): Promise<RepoName[]> {
    const r = await this.#json('/api/v1/federation/repos')
    if (r.status === 404) throw new GatewayError('GW_ERR_ROOT_BAD_RESPONSE', 'the upstream lists no repositories')
    return (r.body as { repos: RepoName[] }).repos
  }

  /** Opens a blob download, from byte `from` on when resuming. The caller consumes or destroys body. */
  async blob(id: string, from: number): Promise<BlobResponse | 'range-refused'> {
    const headers: Record<string, string> = { ...this.client.keyHeaders(), accept: 'application/octet-stream' }
    if (from > 0) headers.range = `bytes=${from}-`
    const res = await this.#request({ path: `/api/v1/blobs/sha256:${id}`, method: 'GET', headers, signal: this.o.signal, bodyTimeout: this.o.blobIdleTimeout })
    if (res.statusCode === 416) {
      await res.body.dump()
      return 'range-refused'
    }
    if (res.statusCode === 206 && from > 0) {
      const start = Number(/^bytes (\d+)-/.exec(String(res.headers['content-range'] ?? ''))?.[1])
      if (start !== from) {
        res.body.destroy()
        throw new GatewayError('GW_ERR_ROOT_BAD_RESPONSE', `blob ${id}: asked for bytes from ${from}, got a range from ${start}`)
      }
      return { status: 206, from, body: res.body }
    }
    if (res.statusCode === 200) return { status: 200, from: 0, body: res.body }
    await res.body.dump().catch(() => {})
    throw statusError(`blob ${id.slice(0, 12)}`, res.statusCode)
  }

  /** A blob body that failed mid-stream: mapped to the catalogue, and counted against the root if a transport fault. */
  bodyFailed(err: unknown): GatewayError {
    if (err instanceof GatewayError) return err
    const ge = upstreamError(err)
    if (!this.o.signal.aborted) this.health?.report(ge)
    return ge
  }

  /** A JSON GET: the body on 200, only the status on 404 or a status in `pass`. */
  async #json(path: string, pass: number[] = []): Promise<{ status: number; body?: unknown; store?: string }> {
    // The deadline covers the body too, so it is released only once the body is read.
    const deadline = requestSignal(this.o.signal, this.o.requestTimeout)
    try {
      const res = await this.#request({
        path,
        method: 'GET',
        headers: { ...this.client.keyHeaders(), accept: 'application/json' },
        signal: deadline.signal,
        bodyTimeout: this.o.requestTimeout,
      })
      if (res.statusCode === 404 || pass.includes(res.statusCode)) {
        await res.body.dump().catch(() => {})
        return { status: res.statusCode }
      }
      if (res.statusCode !== 200) {
        await res.body.dump().catch(() => {})
        throw statusError(path.split('?')[0]!, res.statusCode)
      }
      const store = res.headers[STORE_HEADER]
      try {
        return { status: 200, body: await res.body.json(), store: typeof store === 'string' && store !== '' ? store : undefined }
      } catch (err) {
        const ge = upstreamError(err)
        this.health?.report(ge)
        throw ge
      }
    } finally {
      deadline.release()
    }
  }

  /** One request; transport failures become catalogue errors and count against the root's health. */
  async #request(o: Omit<Dispatcher.RequestOptions, 'path'> & { path: string }): Promise<Dispatcher.ResponseData> {
    return requestRoot(this.client, this.health, { ...o, path: this.client.basePath + o.path })
  }

}

/** A non-success status from the upstream, as an error whose message names it (never a header). */
function statusError(what: string, status: number): GatewayError {
  if (status === 401 || status === 403) return new GatewayError('GW_ERR_ROOT_BAD_RESPONSE', `${what}: the upstream refused this site's key (${status})`)
  return new GatewayError('GW_ERR_ROOT_BAD_RESPONSE', `${what}: the upstream answered ${status}`)
}
