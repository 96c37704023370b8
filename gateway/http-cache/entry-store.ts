// Cached answers on disk, the most recently used small bodies also in memory. An entry is two files in
// `<dir>/<hh>/`: its body (`<hash>.<generation>.body`) and its metadata (`<hash>.json`, naming the body
// file). Each is written to `<dir>/tmp/`, fsynced and renamed into place, the body first: a process killed
// at any point leaves either the previous entry, or the new one whole, or only files in tmp/ and unnamed
// bodies, which the next start removes. Nothing half-written is ever read as an entry. Bounded by bytes
// on disk (bodies), least recently used out first.
import { createHash, randomBytes } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import { mkdir, open, readdir, readFile, rename, rm, stat, unlink, type FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import { LRUCache } from 'lru-cache'
import type { Freshness } from './policy.ts'

export interface EntryMeta {
  readonly key: string
  readonly status: number
  /** The headers every client gets (hop-by-hop and Set-Cookie already removed). */
  readonly headers: Record<string, string | string[]>
  readonly bodyLength: number
  /** When the answer (or its last revalidation) arrived, on the site's clock. */
  readonly receivedAt: number
  /** Its Age when it arrived, in ms. */
  readonly initialAge: number
  readonly freshness: Freshness
  /** Request headers (lower case) the answer varies by, and the values this entry was stored for. */
  readonly vary: string[]
  readonly varyValues: string[]
}

export interface Entry extends EntryMeta {
  /** The body's file name in the entry's folder; a new body gets a new name. */
  readonly body: string
  readonly file: string
}

/** Told of every key the store takes in (also each entry found at start) and every entry it lets go (evicted, deleted). */
export interface StoreWatcher {
  /** `e` is now the entry for its key; `isNew`: the key had none. */
  stored(e: Entry, isNew: boolean): void
  removed(e: Entry): void
}

/**
 * Told of a body as it is written (a client fed from the file while the entry is filled): `opened` gets a
 * handle of its own on the file being written (the receiver closes it; it stays readable after the file
 * is renamed into place or unlinked), `wrote` the number of bytes on it so far.
 */
export interface PutWatch {
  opened(reader: FileHandle): void
  wrote(length: number): void
}

/** A body passed maxEntryBytes (or the store's own bound) while it was written: nothing was stored. */
export class TooLarge extends Error {
  /** Every byte read of the body, in a file already unlinked: the catcher reads (sends on) and closes it. */
  received?: FileHandle
}

const MAGIC = 'fedgate-cache/1'
const META_WEIGHT = 1024

export class EntryStore {
  readonly #dir: string
  readonly #tmp: string
  readonly #entries: LRUCache<string, Entry>
  readonly #memory: LRUCache<string, Buffer> | undefined
  readonly #memoryEntryMax: number
  readonly #made = new Set<string>()

  private constructor(
    dir: string,
    readonly maxBytes: number,
    readonly memoryBytes: number,
    private readonly watcher: StoreWatcher | undefined,
  ) {
    this.#dir = dir
    this.#tmp = join(dir, 'tmp')
    this.#entries = new LRUCache<string, Entry>({
      maxSize: Math.max(1, maxBytes),
      sizeCalculation: (e) => e.bodyLength + META_WEIGHT,
      noDisposeOnSet: true,
      dispose: (e, _key, reason) => {
        if (reason !== 'evict' && reason !== 'delete') return
        void this.#unlink(e, true)
        this.watcher?.removed(e)
      },
    })
    this.#memoryEntryMax = Math.min(Math.floor(memoryBytes / 8), 4 * 1024 * 1024)
    this.#memory = memoryBytes > 0 ? new LRUCache<string, Buffer>({ maxSize: memoryBytes, sizeCalculation: (b) => b.length + 64 }) : undefined
  }

  /** Opens the folder: leftovers of interrupted writes are removed, whole entries are kept (oldest out first). */
  static async open(dir: string, o: { maxBytes: number; memoryBytes: number; watcher?: StoreWatcher }): Promise<EntryStore> {
    const store = new EntryStore(dir, o.maxBytes, o.memoryBytes, o.watcher)
    await rm(store.#tmp, { recursive: true, force: true })
    mkdirSync(store.#tmp, { recursive: true })
    await store.#load()
    return store
  }

  /** The entry for `key`, counted as used. */
  get(key: string): Entry | undefined {
    return this.#entries.get(key)
  }

  /** The entry for `key`, not counted as used. */
  peek(key: string): Entry | undefined {
    return this.#entries.peek(key)
  }

  has(key: string): boolean {
    return this.#entries.has(key)
  }

  /** The body, when held in memory. */
  memoryBody(e: Entry): Buffer | undefined {
    return this.#memory?.get(e.file)
  }

  /** The whole body (from memory, else read from disk); undefined if the entry is gone meanwhile. */
  async readBody(e: Entry): Promise<Buffer | undefined> {
    const held = this.memoryBody(e)
    if (held) return held
    try {
      const b = await readFile(e.file)
      if (b.length !== e.bodyLength) return undefined
      this.#keepInMemory(e, b)
      return b
    } catch {
      return undefined
    }
  }

  /** Keeps a body read from disk in memory for the next hits, if it is small enough. */
  #keepInMemory(e: Entry, b: Buffer): void {
    if (this.#memory && b.length <= this.#memoryEntryMax) this.#memory.set(e.file, b)
  }

  /**
   * Writes a new entry for `meta.key` from `body`, at most `maxEntryBytes` (TooLarge beyond, nothing
   * kept, the bytes read handed back), and makes it the entry once both files are in place. Errors of
   * `body` propagate, nothing kept.
   */
  async put(meta: EntryMeta, body: AsyncIterable<Buffer>, maxEntryBytes: number, watch?: PutWatch): Promise<Entry> {
    const limit = Math.min(maxEntryBytes, this.maxBytes - META_WEIGHT) // beyond, the bound could never hold it
    const hash = hashOf(meta.key)
    const folder = this.#folder(hash)
    const name = `${hash}.${randomBytes(6).toString('hex')}.body`
    const tmp = join(this.#tmp, name)
    const fh = await open(tmp, 'wx')
    if (watch) {
      try {
        watch.opened(await open(tmp, 'r'))
      } catch (err) {
        await fh.close().catch(() => {})
        await unlink(tmp).catch(() => {})
        throw err
      }
    }
    const keep: Buffer[] | undefined = this.#memory ? [] : undefined
    let length = 0
    try {
      try {
        for await (const chunk of body) {
          length += chunk.length
          if (keep && length <= this.#memoryEntryMax) keep.push(chunk)
          await fh.write(chunk) // also past the limit: the answer is then sent on from this file
          watch?.wrote(length)
          if (length > limit) throw new TooLarge()
        }
        await fh.sync()
      } finally {
        await fh.close()
      }
      const file = join(folder, name)
      await rename(tmp, file)
      const entry: Entry = { ...meta, bodyLength: length, body: name, file }
      await this.#writeMeta(entry)
      const old = this.#entries.get(meta.key)
      this.#entries.set(meta.key, entry)
      this.watcher?.stored(entry, !old)
      if (old && old.file !== file) void this.#unlink(old, false)
      if (keep && length <= this.#memoryEntryMax) this.#memory!.set(file, Buffer.concat(keep, length))
      return entry
    } catch (err) {
      if (err instanceof TooLarge) err.received = await open(tmp, 'r')
      await unlink(tmp).catch(() => {})
      throw err
    }
  }

  /** The same body with new metadata (a 304 from the root): only the small file is written again. */
  async refresh(e: Entry, meta: Pick<EntryMeta, 'headers' | 'receivedAt' | 'initialAge' | 'freshness'>): Promise<Entry> {
    const next: Entry = { ...e, ...meta }
    await this.#writeMeta(next)
    // Replaced only if it is still the entry: a newer body written meanwhile wins.
    if (this.#entries.peek(e.key) === e) this.#entries.set(e.key, next)
    return next
  }

  delete(key: string): void {
    this.#entries.delete(key)
  }

  /** Every stored key for which `match` is true (a walk over all entries: for rare events only). */
  keys(match: (key: string) => boolean): string[] {
    return [...this.#entries.keys()].filter(match)
  }

  /** Entries, the bytes counted against each bound (bodies plus a fixed weight per entry on disk), and the bounds. */
  stats(): { entries: number; bytes: number; memoryBytes: number; maxBytes: number; maxMemoryBytes: number } {
    return { entries: this.#entries.size, bytes: this.#entries.calculatedSize, memoryBytes: this.#memory?.calculatedSize ?? 0, maxBytes: this.maxBytes, maxMemoryBytes: this.memoryBytes }
  }

  async #writeMeta(e: Entry): Promise<void> {
    const hash = hashOf(e.key)
    const tmp = join(this.#tmp, `${hash}.${randomBytes(6).toString('hex')}.json`)
    const { file: _file, ...stored } = e
    const fh = await open(tmp, 'wx')
    try {
      await fh.writeFile(JSON.stringify({ magic: MAGIC, ...stored }))
      await fh.sync()
    } finally {
      await fh.close()
    }
    try {
      await rename(tmp, join(this.#folder(hash), `${hash}.json`))
    } catch (err) {
      await unlink(tmp).catch(() => {})
      throw err
    }
  }

  #folder(hash: string): string {
    const folder = join(this.#dir, hash.slice(0, 2))
    if (!this.#made.has(folder)) {
      mkdirSync(folder, { recursive: true })
      this.#made.add(folder)
    }
    return folder
  }

  /** An entry evicted, deleted or replaced by a new body: its files go, and its body from memory. */
  async #unlink(e: Entry, withMeta: boolean): Promise<void> {
    this.#memory?.delete(e.file)
    await unlink(e.file).catch(() => {})
    if (withMeta) {
      const hash = hashOf(e.key)
      const metaFile = join(this.#dir, hash.slice(0, 2), `${hash}.json`)
      // Only if it still names this body: a new entry for the key may have replaced it meanwhile.
      try {
        const m = JSON.parse(await readFile(metaFile, 'utf8')) as { body?: string }
        if (m.body === e.body) await unlink(metaFile)
      } catch {
        // gone already
      }
    }
  }

  async #load(): Promise<void> {
    const found: Entry[] = []
    const bodies: string[] = []
    let folders: string[]
    try {
      folders = (await readdir(this.#dir)).filter((f) => /^[0-9a-f]{2}$/.test(f))
    } catch {
      await mkdir(this.#dir, { recursive: true })
      return
    }
    for (const f of folders) {
      const folder = join(this.#dir, f)
      this.#made.add(folder)
      for (const name of await readdir(folder)) {
        const path = join(folder, name)
        if (name.endsWith('.body')) bodies.push(path)
        else if (name.endsWith('.json')) {
          const e = await readEntry(path, folder)
          if (e) found.push(e)
          else await unlink(path).catch(() => {})
        } else await unlink(path).catch(() => {})
      }
    }
    const named = new Set(found.map((e) => e.file))
    // Bodies renamed into place whose metadata never followed (a kill between the two renames).
    for (const b of bodies) if (!named.has(b)) await unlink(b).catch(() => {})
    found.sort((a, b) => a.receivedAt - b.receivedAt)
    for (const e of found) {
      this.#entries.set(e.key, e)
      this.watcher?.stored(e, true)
    }
  }
}

async function readEntry(path: string, folder: string): Promise<Entry | undefined> {
  try {
    const m = JSON.parse(await readFile(path, 'utf8')) as Omit<Entry, 'file'> & { magic?: string }
    if (m.magic !== MAGIC || typeof m.key !== 'string' || typeof m.body !== 'string' || !/^[0-9a-f]{64}\.[0-9a-f]{12}\.body$/.test(m.body)) return undefined
    const file = join(folder, m.body)
    const s = await stat(file)
    if (s.size !== m.bodyLength) return undefined
    const { magic: _magic, ...rest } = m
    return { ...rest, file }
  } catch {
    return undefined
  }
}

function hashOf(key: string): string {
  return createHash('sha256').update(key).digest('hex')
}

