// Brings blobs into the local store: never one it already has, a bounded number at once, each
// verified while streaming (blobStore.write) and resumed with a Range request from the bytes an
// interrupted download left behind. Bytes flow upstream socket → hash → temp file: memory stays flat.
import type { BlobStore, ImageRecord } from '../hub/model.ts'
import type { Upstream } from './upstream.ts'
import { Limiter } from '../../gateway/util/limiter.ts'

/**
 * Downloads on the network at once, and blobs open at once (downloading or being made durable). A task
 * hands its network slot on with `received()` once its bytes are in, before its fsync: the next download
 * then flows while the disk works (fsync latency had left the network idle a third of the time), and at
 * most twice `concurrency` files stay open.
 */
export class DownloadSlots {
  readonly #network: Limiter
  readonly #open: Limiter
  constructor(concurrency: number) {
    this.#network = new Limiter(concurrency)
    this.#open = new Limiter(concurrency * 2)
  }

  run<T>(task: (received: () => void) => Promise<T>): Promise<T> {
    return this.#open.run(async () => {
      const release = await this.#network.acquire()
      try {
        return await task(release)
      } finally {
        release()
      }
    })
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
  readonly #slots: DownloadSlots

  constructor(
    private readonly blobs: BlobStore,
    private readonly upstream: Upstream,
    concurrency: number,
    /** Bytes are written only while this holds: the sync lease (WriteOptions.fence). */
    private readonly fence?: () => boolean,
  ) {
    this.#slots = new DownloadSlots(concurrency)
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
      p = this.#slots.run((received) => this.#download(image, onBytes, received)).finally(() => this.#inFlight.delete(image.id))
      this.#inFlight.set(image.id, p)
    }
    return p
  }

  /** `received` hands the network slot on once the body is in, before the fsync (DownloadSlots). */
  async #download(image: ImageRecord, onBytes: (n: number) => void, received: () => void): Promise<void> {
    if (await this.blobs.has(image.id)) return
    // A previous sync leader's partial (another host on a shared folder) is resumed, not fetched again.
    await this.blobs.adoptPartial?.(image.id)
    let from = await this.blobs.partialSize(image.id)
    // A partial as long as the blob (or longer) cannot be resumed with a Range: start again.
    if (from >= image.size) from = 0
    let r = await this.upstream.blob(image.id, from)
    if (r === 'range-refused') r = await this.upstream.blob(image.id, 0)
    if (r === 'range-refused') throw new Error(`blob ${image.id.slice(0, 12)}: the upstream refused a whole download with 416`)
    this.stats.downloads++
    if (r.status === 206) this.stats.resumed++
    const onChunk = (n: number) => {
      this.stats.bytesReceived += n
      onBytes(n)
    }
    try {
      // The body goes straight into the store (an upstream reset or truncation fails the write there).
      await this.blobs.write(image.id, r.body, { resume: r.status === 206, expectedSize: image.size, onChunk, onReceived: received, fence: this.fence })
    } catch (err) {
      // A store that failed before reading would leave the body holding its connection to the upstream.
      r.body.destroy()
      // A digest or size mismatch, or this disk failing (GW_ERR_STORE_WRITE_FAILED), stays as it is; a
      // cut body becomes the root's fault, in catalogue terms.
      throw this.upstream.bodyFailed(err)
    }
  }
}
