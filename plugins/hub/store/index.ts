// The index: small JSON values by key, through keyv, over an embedded lmdb file (the default) or Redis
// (`store.index: redis://host:port`, for several gateway nodes at one site). Besides keyv's get/set it
// offers the two things a crash-safe repository store needs: an atomic compare-and-set of several keys,
// and a prefix scan.
import { Keyv } from 'keyv'
import { join } from 'node:path'
import { createRequire } from 'node:module'
import { GatewayError, failureName } from '../../../gateway/errors.ts'
import { registerSecret } from '../../../gateway/config/secret.ts'
import { withDeadline } from '../../../gateway/util/deadline.ts'
import { LmdbKeyvStore } from './lmdb-keyv.ts'

/** Writes every entry only if `guard` still holds `expected`, in one atomic step; false on a conflict. */
type Cas = (guard: string, expected: string | undefined, entries: [string, string][]) => Promise<boolean>

// Compare-and-set in one Lua script: Redis runs it atomically, so no reader sees half of it.
const REDIS_CAS = `local cur = redis.call('GET', KEYS[1])
if (cur or '') ~= ARGV[1] then return 0 end
for i = 2, #KEYS do redis.call('SET', KEYS[i], ARGV[i]) end
return 1`

/**
 * A lease after a try to take or renew it: held by the caller, or by `holder` (another) until `until`
 * (ms since the epoch; undefined when that lease has no end, or no one holds it).
 */
export interface LeaseState {
  held: boolean
  holder?: string
  until?: number
}

/** Takes or renews a lease for a holder, or says who holds it while another holder's lease runs; `ttl 0` releases it. */
type Lease = (key: string, holder: string, ttlMs: number) => Promise<LeaseState>

// SET NX PX, or PEXPIRE when the caller already holds it, in one step; a release deletes only its own.
// Refused, it answers who holds the lease and for how many ms more (-1: no end), from the same step.
const REDIS_LEASE = `local cur = redis.call('GET', KEYS[1])
if tonumber(ARGV[2]) == 0 then
  if cur == ARGV[1] then redis.call('DEL', KEYS[1]) end
  return {0}
end
if not cur then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return {1} end
if cur == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return {1} end
return {0, cur, redis.call('PTTL', KEYS[1])}`

/** Longest a Redis command may wait for its answer before it fails. */
const REDIS_COMMAND_TIMEOUT_MS = 5000
/** Longest a site or a CLI command waits for Redis at start before it gives up with the reason. */
const REDIS_CONNECT_TIMEOUT_MS = 5000
/** node-redis failures meaning the server could not be reached or did not answer (not a reply it sent). */
const REDIS_UNREACHABLE = new Set(['ClientOfflineError', 'ClientClosedError', 'TimeoutError', 'SocketClosedUnexpectedlyError', 'ConnectionTimeoutError', 'SocketTimeoutError', 'ReconnectStrategyError', 'DisconnectsClientError'])

export class IndexStore {
  readonly kind: 'embedded' | 'redis'
  readonly #keyv: Keyv
  readonly #cas: Cas
  readonly #scan: (prefix: string) => AsyncIterable<[string, string]>
  readonly #close: () => Promise<void>
  readonly #lease: Lease
  /** Prepended to every key: several sites may share one Redis database. */
  readonly #prefix: string
  /** A failure of the index in catalogue terms (Redis unreachable: GW_ERR_INDEX_UNAVAILABLE). */
  readonly #fault: (err: unknown) => unknown

  private constructor(kind: 'embedded' | 'redis', keyv: Keyv, cas: Cas, scan: (prefix: string) => AsyncIterable<[string, string]>, close: () => Promise<void>, lease: Lease, prefix = '', fault = (err: unknown) => err) {
    this.kind = kind
    this.#fault = fault
    this.#lease = lease
    this.#prefix = prefix
    this.#keyv = keyv
    this.#cas = cas
    this.#scan = scan
    this.#close = close
  }

  /** `embedded` keeps the index in `<dir>/index` (lmdb); `redis://…` uses that server, keys prefixed per site. */
  static async open(where: string, o: { dir: string; prefix: string }): Promise<IndexStore> {
    // Values are stored as plain JSON (no keyv envelope) so the atomic paths below can write them too.
    const codec = { serialize: (d: { value?: unknown }) => JSON.stringify(d.value), deserialize: (s: string) => ({ value: JSON.parse(s) as unknown }) }
    if (where === 'embedded') {
      const lmdb = new LmdbKeyvStore(join(o.dir, 'index'))
      const keyv = new Keyv({ store: lmdb, useKeyPrefix: false, throwOnErrors: true, ...codec } as ConstructorParameters<typeof Keyv>[0])
      return new IndexStore(
        'embedded',
        keyv,
        async (guard, expected, entries) => lmdb.casMany(guard, expected, entries),
        async function* (prefix) {
          yield* lmdb.scan(prefix)
        },
        () => lmdb.disconnect(),
        async (key, holder, ttl) => {
          if (ttl > 0) return lmdb.lease(key, holder, ttl)
          lmdb.release(key, holder)
          return { held: false }
        },
      )
    }
    // While Redis is unreachable, commands fail at once instead of queueing until it returns: a request
    // then gets an error, not a hang, and blobs and cached states keep being served from this node.
    // Loaded only for a Redis index: the client is the largest module a site could load (~15 MB). Its
    // CommonJS build, required: the same one from the sources and from dist/'s CommonJS bundle.
    const { default: KeyvRedis, createClient } = createRequire(import.meta.url)('@keyv/redis') as typeof import('@keyv/redis')
    const label = redisLabel(where)
    // A server that accepts but does not answer (stopped, overloaded) fails each command after a bound too.
    const client = createClient({ url: where, disableOfflineQueue: true, commandOptions: { timeout: REDIS_COMMAND_TIMEOUT_MS }, socket: { reconnectStrategy: (n: number) => Math.min(n * 100, 2000) } })
    let lastError: unknown
    client.on('error', (err: unknown) => (lastError = err)) // reconnects on its own; failed commands reject to their callers
    // Unbounded, a site (or a CLI command) would wait silently for ever for a Redis that is not there.
    try {
      await withDeadline(client.connect(), REDIS_CONNECT_TIMEOUT_MS, label)
    } catch (err) {
      client.destroy()
      throw new GatewayError('GW_ERR_INDEX_UNAVAILABLE', `${label}: no connection within ${REDIS_CONNECT_TIMEOUT_MS / 1000} s (${failureName(lastError ?? err)})`)
    }
    // A failed command must reject: by default @keyv/redis answers a failed GET as "absent" (and drops a
    // failed SET), and a commit built on a repository read as absent would erase its tags.
    const redis = new KeyvRedis(client as never, { throwOnErrors: true })
    const keyv = new Keyv({ store: redis, useKeyPrefix: false, throwOnErrors: true, ...codec } as ConstructorParameters<typeof Keyv>[0])
    redis.namespace = undefined // keys are exactly ours (prefixed per site below), as the Lua script writes them
    return new IndexStore(
      'redis',
      keyv,
      async (guard, expected, entries) => {
        const r = await client.eval(REDIS_CAS, { keys: [guard, ...entries.map((e) => e[0])], arguments: [expected ?? '', ...entries.map((e) => e[1])] })
        return Number(r) === 1
      },
      async function* (prefix) {
        let cursor = '0'
        do {
          const page = await client.scan(cursor, { MATCH: `${escapeGlob(prefix)}*`, COUNT: 1000 })
          cursor = String(page.cursor)
          if (page.keys.length === 0) continue
          const values = await client.mGet(page.keys)
          for (let i = 0; i < page.keys.length; i++) if (values[i] != null) yield [page.keys[i]!, String(values[i])]
        } while (cursor !== '0')
      },
      async () => {
        // close() waits for replies to what was sent; with Redis unreachable it would never settle.
        if (client.isReady) await client.close().catch(() => client.destroy())
        else client.destroy()
      },
      async (key, holder, ttl) => {
        const [held, other, ms] = (await client.eval(REDIS_LEASE, { keys: [key], arguments: [holder, String(ttl)] })) as [number, string?, number?]
        if (Number(held) === 1) return { held: true }
        // The time left is Redis's; added to this machine's clock it says until when, near enough to show.
        return { held: false, holder: other, until: ms !== undefined && Number(ms) >= 0 ? Date.now() + Number(ms) : undefined }
      },
      o.prefix,
      (err) => (REDIS_UNREACHABLE.has((err as Error | undefined)?.constructor?.name ?? '') ? new GatewayError('GW_ERR_INDEX_UNAVAILABLE', label, { 'retry-after': '1' }, { cause: err }) : err),
    )
  }

  /** An index operation whose failure is told in catalogue terms. */
  async #run<T>(op: () => Promise<T>): Promise<T> {
    try {
      return await op()
    } catch (err) {
      throw this.#fault(err)
    }
  }

  async get<T>(key: string): Promise<T | undefined> {
    return (await this.#run(() => this.#keyv.get<T>(this.#prefix + key))) ?? undefined
  }

  async getMany<T>(keys: string[]): Promise<(T | undefined)[]> {
    if (keys.length === 0) return []
    const values = await this.#run(() => this.#keyv.getMany<T>(keys.map((k) => this.#prefix + k)))
    return values.map((v) => (v ?? undefined) as T | undefined)
  }

  async set(key: string, value: unknown): Promise<void> {
    await this.#run(() => this.#keyv.set(this.#prefix + key, value))
  }

  /** Writes every entry in one atomic step (an lmdb transaction, a Redis MULTI): independent keys, no guard. */
  async setMany(entries: [string, unknown][]): Promise<void> {
    if (entries.length) await this.#run(() => this.#keyv.setMany(entries.map(([k, value]) => ({ key: this.#prefix + k, value }))))
  }

  async delete(keys: string[]): Promise<void> {
    if (keys.length) await this.#run(() => this.#keyv.delete(keys.map((k) => this.#prefix + k)))
  }

  /** Atomically: if `guard` still holds `expected`, write every entry. False when someone else won. */
  async compareAndSet(guard: string, expected: unknown, entries: [string, unknown][]): Promise<boolean> {
    return this.#run(() =>
      this.#cas(
        this.#prefix + guard,
        expected === undefined ? undefined : JSON.stringify(expected),
        entries.map(([k, v]) => [this.#prefix + k, JSON.stringify(v)]),
      ),
    )
  }

  /**
   * A lease (the site's sync leader): `held` when `holder` now holds `name` for `ttlMs` (taken, or
   * renewed as its holder); else who holds it, and until when. It ends by itself `ttlMs` after the last
   * renewal, so a holder that dies hands it on within that time.
   */
  lease(name: string, holder: string, ttlMs: number): Promise<LeaseState> {
    return this.#run(() => this.#lease(this.#prefix + name, holder, ttlMs))
  }

  /** Ends `holder`'s lease at once (a graceful stop); nothing when another holds it. */
  async releaseLease(name: string, holder: string): Promise<void> {
    await this.#run(() => this.#lease(this.#prefix + name, holder, 0))
  }

  async *scan<T>(prefix: string): AsyncIterable<[string, T]> {
    const n = this.#prefix.length
    try {
      for await (const [k, v] of this.#scan(this.#prefix + prefix)) yield [k.slice(n), JSON.parse(v) as T]
    } catch (err) {
      throw this.#fault(err)
    }
  }

  close(): Promise<void> {
    return this.#close()
  }
}

/** The index's URL for messages and logs: its password never shown (and scrubbed wherever else it appears). */
function redisLabel(url: string): string {
  try {
    const u = new URL(url)
    if (u.password) {
      registerSecret(decodeURIComponent(u.password))
      u.password = '***'
    }
    return `the index at ${u.toString()}`
  } catch {
    return 'the index'
  }
}

function escapeGlob(s: string): string {
  return s.replace(/[*?[\]\\]/g, '\\$&')
}
