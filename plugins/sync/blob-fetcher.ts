// Brings blobs into the local store: never one it already has, a bounded number at once, each
// verified while streaming (blobStore.write) and resumed with a Range request from the bytes an
// interrupted download left behind. Bytes flow upstream socket → hash → temp file: memory stays flat.
import { Transform, pipeline } from 'node:stream'
import type { BlobStore, ImageRecord } from '../hub/model.ts'
import type { Upstream } from './upstream.ts'

/** At most `size` tasks at once; the rest wait in order. */
export class Limiter {
  #active = 0
  readonly #waiting: (() => void)[] = []
  constructor(private readonly size: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#active >= this.size) await new Promise<void>((r) => this.#waiting.push(r))
    this.#active++
    try {
      return await task()
    } finally {
      this.#active--
      this.#waiting.shift()?.()
    }
  }
}

export interface FetchStats {
  /** Bytes received from the upstream in blob bodies (what a resume saves shows here). */
  bytesReceived: number
  downloads: number
  resumed: number
}

export class BlobFetcher {
  readonly stats: FetchStats = { bytesReceived: 0, downloads: 0, resumed: 0 }
  readonly #inFlight = new Map<string, Promise<void>>()
  readonly #limiter: Limiter

  constructor(
    private readonly blobs: BlobStore,
    private readonly upstream: Upstream,
    concurrency: number,
  ) {
    this.#limiter = new Limiter(concurrency)
  }

  /** How many bytes of `image` are already here (whole blob or kept partial). */
  async present(image: ImageRecord): Promise<number> {
    if (await this.blobs.has(image.id)) return image.size
    return Math.min(await this.blobs.partialSize(image.id), image.size)
  }

  /** Ensures the blob is stored and verified; `onBytes` hears every byte received. Shared by callers. */
  fetch(image: ImageRecord, onBytes: (n: number) => void): Promise<void> {
    let p = this.#inFlight.get(image.id)
    if (!p) {
      p = this.#limiter.run(() => this.#download(image, onBytes)).finally(() => this.#inFlight.delete(image.id))
      this.#inFlight.set(image.id, p)
    }
    return p
  }

  async #download(image: ImageRecord, onBytes: (n: number) => void): Promise<void> {
    if (await this.blobs.has(image.id)) return
    let from = await this.blobs.partialSize(image.id)
    // A partial as long as the blob (or longer) cannot be resumed with a Range: start again.
    if (from >= image.size) from = 0
    let r = await this.upstream.blob(image.id, from)
    if (r === 'range-refused') r = await this.upstream.blob(image.id, 0)
    if (r === 'range-refused') throw new Error(`blob ${image.id.slice(0, 12)}: the upstream refused a whole download with 416`)
    this.stats.downloads++
    if (r.status === 206) this.stats.resumed++
    const counter = new Transform({
      transform: (chunk: Buffer, _enc, cb) => {
        this.stats.bytesReceived += chunk.length
        onBytes(chunk.length)
        cb(null, chunk)
      },
    })
    // pipeline carries an upstream error (reset, truncation) into the counter, so the write fails.
    pipeline(r.body, counter, () => {})
    try {
      await this.blobs.write(image.id, counter, { resume: r.status === 206, expectedSize: image.size })
    } catch (err) {
      // A digest or size mismatch stays as it is; a cut body becomes the root's fault, in catalogue terms.
      throw this.upstream.bodyFailed(err)
    }
  }
}
