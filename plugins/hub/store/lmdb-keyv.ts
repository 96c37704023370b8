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

  *scan(prefix: string): Iterable<[string, string]> {
    for (const { key, value } of this.db.getRange({ start: prefix, end: prefix + '\uffff' })) yield [key, value]
  }

  async disconnect(): Promise<void> {
    await this.db.close()
  }
}
