// The content-addressed blob store on local disk: `<dir>/sha256/ab/abcdef…`. Bytes are hashed while
// they stream into a temp file, verified, fsynced and renamed into place, so a blob that is present has
// always been verified; nothing half-written or mismatched is ever at a blob's path.
import { createHash, randomBytes, type Hash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdir, open, readdir, rename, rm, stat, utimes, type FileHandle } from 'node:fs/promises'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { finished, type Readable } from 'node:stream'
import { GatewayError } from '../../../gateway/errors.ts'
import type { BlobStore, WriteOptions } from '../model.ts'
import { BlobPins } from './blob-pins.ts'
import { processAlive } from '../../../gateway/util/process-alive.ts'

export const BLOB_ID = /^[0-9a-f]{64}$/
/** `partial/<id>.<host>`: one file per node, since nodes of a site may share the blob folder. */
const PARTIAL = /^([0-9a-f]{64})\.[A-Za-z0-9._-]+$/

export interface IngestResult {
  id: string
  size: number
}

export class FileBlobStore implements BlobStore {
  readonly dir: string
  readonly pins = new BlobPins()
  /** One writer per blob id in this process: a second write of the same id waits for the first. */
  readonly #writing = new Map<string, Promise<void>>()

  /** Shard folders known to exist. */
  readonly #shards = new Set<string>()

  /** This node's name in partial file names (the host's name). */
  readonly #node: string

  constructor(dir: string, o: { node?: string } = {}) {
    this.dir = dir
    this.#node = (o.node ?? hostname()).replace(/[^A-Za-z0-9.-]/g, '_') || 'node'
  }

  /** Creates the folders; call once before use. */
  async open(): Promise<this> {
    await Promise.all(['sha256', 'partial', 'tmp'].map((d) => mkdir(join(this.dir, d), { recursive: true })))
    return this
  }

  path(id: string): string {
    checkId(id)
    return join(this.dir, 'sha256', id.slice(0, 2), id)
  }

  async has(id: string): Promise<boolean> {
    return (await this.size(id)) !== undefined
  }

  /**
   * For a writer that finds `id` stored already: is it, and if so it counts as written now. A writer pins
   * in its own process only; another process's collection (a worker, a node on the same index) keeps an
   * unreferenced blob only while it is younger than the grace, so an old one found here, about to be
   * committed again, must look new to it too.
   */
  async #found(id: string): Promise<boolean> {
    const now = new Date()
    return utimes(this.path(id), now, now).then(
      () => true,
      // Not this process's file to stamp (another user's store): the grace is only as before.
      (err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? false : this.has(id)),
    )
  }

  /** Size of a stored blob, or undefined when it is not stored. */
  async size(id: string): Promise<number | undefined> {
    try {
      return (await stat(this.path(id))).size
    } catch {
      return undefined
    }
  }

  async partialSize(id: string): Promise<number> {
    checkId(id)
    try {
      return (await stat(this.partialPath(id))).size
    } catch {
      return 0
    }
  }

  /**
   * Makes another node's partial download of `id` this node's own, when this node has none: the sync
   * leader of a shared folder (plugins/sync/leader.ts) resumes what the leader before it left, whatever
   * host that ran on. Only the lease holder writes partials, so the previous writer has stopped (its
   * lease ran out); the longest file is taken (a rename is atomic), the others are left for collection.
   */
  async adoptPartial(id: string): Promise<void> {
    checkId(id)
    if ((await this.partialSize(id)) > 0) return
    const dir = join(this.dir, 'partial')
    let best: { name: string; size: number } | undefined
    for (const name of await readdir(dir).catch(() => [] as string[])) {
      if (PARTIAL.exec(name)?.[1] !== id || join(dir, name) === this.partialPath(id)) continue
      const size = (await stat(join(dir, name)).catch(() => undefined))?.size ?? 0
      if (!best || size > best.size) best = { name, size }
    }
    if (best && best.size > 0) await rename(join(dir, best.name), this.partialPath(id)).catch(() => {})
  }

  write(id: string, source: Readable, o: WriteOptions = {}): Promise<void> {
    checkId(id)
    // A source error surfaces where it is read; this listener keeps one raised while waiting from crashing the process.
    source.on('error', () => {})
    const before = this.#writing.get(id) ?? Promise.resolve()
    const run = before.then(() => this.#write(id, source, o))
    const tracked = run.then(
      () => {},
      () => {},
    ).finally(() => {
      if (this.#writing.get(id) === tracked) this.#writing.delete(id)
    })
    this.#writing.set(id, tracked)
    return run
  }

  async #write(id: string, source: Readable, o: WriteOptions): Promise<void> {
    const held = await this.#found(id)
    if (held && !o.verifyHeld) {
      source.resume() // already verified and stored: drain and ignore
      return
    }
    const partial = this.partialPath(id)
    fenced(o)
    const hash = createHash('sha256')
    let kept = 0
    if (o.resume) kept = await local(hashFile(partial, hash))
    if (o.resumeAt !== undefined && o.resumeAt > 0 && kept !== o.resumeAt) {
      throw new GatewayError('GW_ERR_CONFLICT', `${kept} bytes of sha256:${id} are kept; continue from there`)
    }
    // Interrupted sources keep their bytes here for a Range resume; a wrong digest removes them.
    const file = await local(open(partial, o.resume && kept > 0 ? 'a' : 'w'))
    let size: number
    try {
      size = kept + (await copyHashing(source, file, hash, { limit: o.expectedSize === undefined ? undefined : o.expectedSize - kept, onChunk: o.onChunk, fence: o.fence }))
      o.onReceived?.()
      await local(file.sync())
    } catch (err) {
      await file.close().catch(() => {})
      // Only wrong bytes are dropped: a cut, a timeout or a graceful stop keeps them for a Range resume.
      if (isRefusal(err)) await rm(partial, { force: true })
      throw err
    }
    await local(file.close())
    if (o.expectedSize !== undefined && size < o.expectedSize) {
      const before = kept > 0 ? ` (${kept} of them kept from before)` : ''
      throw new GatewayError('GW_ERR_TRUNCATED', `expected ${o.expectedSize} bytes of sha256:${id}, ${size} arrived${before}; kept to continue from byte ${size}`)
    }
    const got = hash.digest('hex')
    if (got !== id) {
      await rm(partial, { force: true })
      throw new GatewayError('GW_ERR_DIGEST_MISMATCH', `expected sha256:${id}, got sha256:${got}`)
    }
    // Held already (verifyHeld): the bytes were checked like any others, and the blob is kept once.
    fenced(o)
    if (held) await rm(partial, { force: true })
    else await local(this.#place(partial, id))
  }

  /**
   * Stores bytes whose id is not known in advance (a publish): hashed into a private temp file, checked
   * against `expectedId`/`expectedSize` when given, then moved into place. Nothing is kept on failure.
   * `onReceived` is called once every byte is in and checked, before the fsync. A failed download is
   * destroyed; a request (`source` is the client's upload) is only left unread, so its error can still
   * be answered on the same connection.
   */
  async ingest(source: Readable, o: { expectedId?: string; expectedSize?: number; maxSize?: number; pin?: (id: string) => Promise<void>; onReceived?: () => void; isRequest?: boolean } = {}): Promise<IngestResult> {
    if (o.expectedId !== undefined) checkId(o.expectedId)
    // Named by the writing process, so a site starting up sweeps only what dead writers left.
    const tmp = join(this.dir, 'tmp', `${process.pid}-${Date.now()}-${randomBytes(8).toString('hex')}`)
    const hash = createHash('sha256')
    const file = await local(open(tmp, 'wx'))
    try {
      const limit = o.expectedSize ?? o.maxSize
      const size = await copyHashing(source, file, hash, { limit, overCode: o.expectedSize === undefined ? 'GW_ERR_TOO_LARGE' : 'GW_ERR_DIGEST_MISMATCH', isRequest: o.isRequest })
      if (o.expectedSize !== undefined && size !== o.expectedSize) throw new GatewayError('GW_ERR_TRUNCATED', `expected ${o.expectedSize} bytes, ${size} arrived`)
      const id = hash.digest('hex')
      if (o.expectedId !== undefined && id !== o.expectedId) throw new GatewayError('GW_ERR_DIGEST_MISMATCH', `expected sha256:${o.expectedId}, got sha256:${id}`)
      o.onReceived?.()
      await local(file.sync())
      await local(file.close())
      // Pinned before it is looked up or placed, so a collection cannot remove it before its commit.
      await o.pin?.(id)
      if (await this.#found(id)) await rm(tmp, { force: true })
      else await local(this.#place(tmp, id))
      return { id, size }
    } catch (err) {
      await file.close().catch(() => {})
      await rm(tmp, { force: true })
      throw err
    }
  }

  async remove(id: string): Promise<void> {
    await rm(this.path(id), { force: true })
    await rm(this.partialPath(id), { force: true })
  }

  /**
   * Removes partial downloads untouched for `maxAgeMs` that `keep` does not hold (pinned: a sync needs
   * them): blobs no sync came back for, once their repository was dropped or its tag moved on. Fresher
   * ones wait for their Range resume. Returns how many were removed.
   */
  async removeStalePartials(maxAgeMs: number, keep: (id: string) => boolean): Promise<number> {
    const dir = join(this.dir, 'partial')
    let removed = 0
    for (const name of await readdir(dir).catch(() => [] as string[])) {
      // Another node's file too, once stale: a download in progress anywhere keeps its file fresh.
      const id = PARTIAL.exec(name)?.[1] ?? (BLOB_ID.test(name) ? name : undefined)
      if (id === undefined || keep(id)) continue
      const age = await ageMs(join(dir, name))
      if (age === undefined || age < maxAgeMs) continue
      await rm(join(dir, name), { force: true })
      removed++
    }
    return removed
  }

  /** Milliseconds since a stored blob was last written (placed, or found by a writer); undefined when it is not stored. */
  age(id: string): Promise<number | undefined> {
    return ageMs(this.path(id))
  }

  async *list(): AsyncIterable<string> {
    const root = join(this.dir, 'sha256')
    for (const shard of await readdir(root).catch(() => [] as string[])) {
      for (const name of await readdir(join(root, shard)).catch(() => [] as string[])) if (BLOB_ID.test(name)) yield name
    }
  }

  /**
   * Removes temp files of publishes that a crash left behind: those of this process's pid at start (a
   * dead predecessor's), of no live process, or older than a day (a reused pid); never a running
   * `fedgate publish`'s. At start, and at a root's every collection.
   */
  async sweepTemp(o: { atStart: boolean }): Promise<void> {
    const tmp = join(this.dir, 'tmp')
    for (const name of await readdir(tmp).catch(() => [] as string[])) {
      const pid = Number(/^(\d+)-\d+-/.exec(name)?.[1])
      const old = ((await ageMs(join(tmp, name))) ?? Infinity) > 86_400_000
      // At start, this pid's files are an earlier process's; later, they are this one's writes in progress.
      const dead = pid === process.pid ? o.atStart : !processAlive(pid)
      if (old || !(Number.isSafeInteger(pid) && pid > 0) || dead) await rm(join(tmp, name), { force: true })
    }
  }

  /**
   * Where this node keeps the bytes of an interrupted download of `id`. Per node: two nodes appending
   * to one file would interleave their bytes, and each would check only its own stream.
   */
  partialPath(id: string): string {
    return join(this.dir, 'partial', `${id}.${this.#node}`)
  }

  async #place(from: string, id: string): Promise<void> {
    const shard = join(this.dir, 'sha256', id.slice(0, 2))
    // Made once per process (a disk round trip saved per blob); made again if removed meanwhile.
    if (!this.#shards.has(shard)) {
      await mkdir(shard, { recursive: true })
      this.#shards.add(shard)
    }
    // Its age (the grace of other processes' collections) counts from now, when they can first see it:
    // the last byte was written before the fsync and, for a publish, before its wait to pin it.
    const now = new Date()
    await utimes(from, now, now)
    await rename(from, join(shard, id)).catch(async (err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err
      await mkdir(shard, { recursive: true })
      await rename(from, join(shard, id))
    })
    await fsyncDir(shard) // the rename itself must survive a power cut
  }
}

/** Milliseconds since `file` was last written, by the wall clock file times use; undefined when absent. */
async function ageMs(file: string): Promise<number | undefined> {
  const st = await stat(file).catch(() => undefined)
  return st && Date.now() - st.mtimeMs
}

/**
 * A failure of this disk (full, a file past `ulimit -f`, a folder not writable) as the store's own
 * error: a caller streaming from an upstream must not take it for the upstream's fault.
 */
function storeFailed(err: unknown): GatewayError {
  return err instanceof GatewayError ? err : new GatewayError('GW_ERR_STORE_WRITE_FAILED', undefined, {}, { cause: err })
}

function local<T>(op: Promise<T>): Promise<T> {
  return op.catch((err: unknown) => {
    throw storeFailed(err)
  })
}

/** A write whose fence no longer holds goes no further (WriteOptions.fence). */
function fenced(o: { fence?: () => boolean }): void {
  if (o.fence && !o.fence()) throw new GatewayError('GW_ERR_STOPPING', 'this process no longer holds the sync lease')
}

/** The bytes themselves are wrong (too many, or not the digest): nothing of them may be kept. */
function isRefusal(err: unknown): boolean {
  return err instanceof GatewayError && (err.code === 'GW_ERR_DIGEST_MISMATCH' || err.code === 'GW_ERR_TOO_LARGE')
}

function checkId(id: string): void {
  if (!BLOB_ID.test(id)) throw new GatewayError('GW_ERR_BAD_REQUEST', 'a blob id is 64 lower-case hex digits')
}

/** Most bytes gathered while a write is in flight before the source is paused (bounds memory). */
const WRITE_BATCH = 1024 * 1024

/**
 * Streams `source` into `file`, hashing and counting; never more than `limit` bytes. Event-driven (no
 * promise per 16 KiB TLS record): a chunk is written at once when no write is in flight, else gathered
 * into the next write; past WRITE_BATCH gathered the source pauses. A cut source keeps every byte it
 * delivered in the file, in order, so a Range resume continues after them.
 */
function copyHashing(
  source: Readable,
  file: FileHandle,
  hash: Hash,
  o: { limit?: number; overCode?: 'GW_ERR_DIGEST_MISMATCH' | 'GW_ERR_TOO_LARGE'; onChunk?: (n: number) => void; isRequest?: boolean; fence?: () => boolean },
): Promise<number> {
  const { limit, overCode = 'GW_ERR_DIGEST_MISMATCH', onChunk } = o
  return new Promise<number>((resolve, reject) => {
    let size = 0
    let batch: Buffer[] = []
    let batched = 0
    let writing = false
    let ended = false
    let failure: unknown
    const settle = () => {
      if (writing) return
      if (batch.length) return write() // after a cut source too: what it delivered is kept
      if (failure !== undefined) return reject(failure)
      if (ended) resolve(size)
    }
    const write = () => {
      // Checked at each write, in the same turn as the write starts: bytes that came in before the
      // fence fell (a thawed process reads its socket before its timers run) are dropped, not written.
      if (o.fence && !o.fence()) {
        batch = []
        batched = 0
        return fail(new GatewayError('GW_ERR_STOPPING', 'this process no longer holds the sync lease'))
      }
      const bufs = batch
      batch = []
      batched = 0
      writing = true
      if (source.isPaused() && failure === undefined) source.resume()
      writeAll(file, bufs).then(
        () => {
          writing = false
          settle()
        },
        (err: unknown) => {
          writing = false
          batch = [] // never write after a failed write: the file would have a gap
          fail(storeFailed(err))
        },
      )
    }
    const fail = (err: unknown) => {
      if (failure !== undefined) return
      failure = err
      source.off('data', onData)
      // Destroying a request would reset its connection before the error is answered: the lifecycle
      // drains it or closes the connection after the answer.
      if (o.isRequest) source.pause()
      else if (!source.destroyed) source.destroy()
      // Bytes past the limit (or after a mismatch) are not kept: the caller removes the file anyway.
      if (isRefusal(err)) batch = []
      settle()
    }
    const onData = (chunk: Buffer | string) => {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
      size += buf.length
      if (limit !== undefined && size > limit) return fail(new GatewayError(overCode, overCode === 'GW_ERR_TOO_LARGE' ? undefined : 'more bytes than expected'))
      hash.update(buf)
      onChunk?.(buf.length)
      batch.push(buf)
      batched += buf.length
      if (!writing) write()
      else if (batched >= WRITE_BATCH) source.pause()
    }
    source.on('data', onData)
    // finished() also reports a source that ended or failed before this was called (during an open).
    finished(source, { writable: false }, (err) => {
      if (err) return fail(err)
      ended = true
      settle()
    })
  })
}

/** Writes every buffer, in order, looping over short writes. */
async function writeAll(file: FileHandle, bufs: Buffer[]): Promise<void> {
  while (bufs.length) {
    let { bytesWritten } = await file.writev(bufs)
    while (bufs.length && bytesWritten >= bufs[0]!.length) bytesWritten -= bufs.shift()!.length
    if (bufs.length && bytesWritten > 0) bufs[0] = bufs[0]!.subarray(bytesWritten)
  }
}

async function hashFile(file: string, hash: Hash): Promise<number> {
  let size = 0
  try {
    for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
      hash.update(chunk)
      size += chunk.length
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
  return size
}

async function fsyncDir(dir: string): Promise<void> {
  const h = await open(dir, 'r')
  try {
    await h.sync()
  } catch {
    // Some file systems refuse fsync on a folder; the rename is still atomic.
  } finally {
    await h.close()
  }
}
