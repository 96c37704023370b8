// A keyv store adapter over lmdb: embedded, persistent, crash-safe (copy-on-write B-tree, synced
// commits) and safe to open from several processes at once (the CLI while the site runs).
import { EventEmitter } from 'node:events'
import { mkdirSync } from 'node:fs'
import { open, type RootDatabase } from 'lmdb'
import type { KeyvStoreAdapter } from 'keyv'

export class LmdbKeyvStore extends EventEmitter implements KeyvStoreAdapter {
  opts: { path: string }
  namespace?: string
  readonly db: RootDatabase<string, string>

  constructor(path: string) {
    super()
    mkdirSync(path, { recursive: true })
    this.opts = { path }
    this.db = open<string, string>({ path, encoding: 'string' })
  }

  async get<Value>(key: string): Promise<Value | undefined> {
    return this.db.get(key) as Value | undefined
  }

  async getMany<Value>(keys: string[]): Promise<(Value | undefined)[]> {
    return keys.map((k) => this.db.get(k) as Value | undefined)
  }

  async set(key: string, value: string): Promise<boolean> {
    return this.db.put(key, value)
  }

  /** One lmdb transaction: all entries or none. */
  async setMany(entries: { key: string; value: string }[]): Promise<void> {
    this.db.transactionSync(() => {
      for (const e of entries) this.db.putSync(e.key, e.value)
    })
  }

  async delete(key: string): Promise<boolean> {
    return this.db.remove(key)
  }

  async deleteMany(keys: string[]): Promise<boolean> {
    this.db.transactionSync(() => {
      for (const k of keys) this.db.removeSync(k)
    })
    return true
  }

  async has(key: string): Promise<boolean> {
    return this.db.doesExist(key)
  }

  async clear(): Promise<void> {
    await this.db.clearAsync()
  }

  /**
   * Writes `entries` only if `guard` still holds `expected` (undefined: absent), in one write
   * transaction; lmdb's write lock makes the check-and-write atomic across processes.
   */
  casMany(guard: string, expected: string | undefined, entries: [string, string][]): boolean {
    return this.db.transactionSync(() => {
      if (this.db.get(guard) !== expected) return false
      for (const [k, v] of entries) this.db.putSync(k, v)
      return true
    })
  }

  /**
   * Takes `key` for `holder` for `ttlMs`, or renews it when `holder` has it; while another holder's
   * time runs, says who and until when. One write transaction: lmdb's write lock makes it atomic across
   * processes; the processes share the machine's clock.
   */
  lease(key: string, holder: string, ttlMs: number): { held: boolean; holder?: string; until?: number } {
    return this.db.transactionSync(() => {
      const now = Date.now()
      const cur = this.db.get(key)
      const held = cur === undefined ? undefined : (JSON.parse(cur) as { holder: string; until: number })
      if (held && held.holder !== holder && held.until > now) return { held: false, holder: held.holder, until: held.until }
      this.db.putSync(key, JSON.stringify({ holder, until: now + ttlMs }))
      return { held: true }
    })
  }

  /** Ends `holder`'s lease on `key` early (a graceful stop), so another takes over at once. */
  release(key: string, holder: string): void {
    this.db.transactionSync(() => {
      const cur = this.db.get(key)
      if (cur !== undefined && (JSON.parse(cur) as { holder: string }).holder === holder) this.db.removeSync(key)
    })
  }

  *scan(prefix: string): Iterable<[string, string]> {
    for (const { key, value } of this.db.getRange({ start: prefix, end: prefix + '\uffff' })) yield [key, value]
  }

  async disconnect(): Promise<void> {
    await this.db.close()
  }
}
