// One sync leader per blob folder: of the processes that share a site's index and blob folder (workers
// on one machine, nodes on one Redis index with one shared volume), exactly one synchronizes, collects
// and follows the change stream, under a lease in the index renewed while held; the others serve what
// it commits (they follow commits through store.refresh). A leader that dies hands the lease on within
// `sync.lease`; the next one resumes its partial downloads from the same folder. Nodes on their own
// disks each need the bytes, so each leads its own folder.
import { randomBytes } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import { join } from 'node:path'
import type { Logger } from 'pino'
import { withDeadline } from '../../gateway/util/deadline.ts'
import type { IndexStore, LeaseState } from '../hub/store/index.ts'
import { processAlive } from '../../gateway/util/process-alive.ts'

export interface LeaderEvents {
  /** This process now leads: start syncing. */
  lead(): void | Promise<void>
  /** This process no longer leads (its lease was lost or the site stops): stop before returning. */
  follow(): Promise<void>
}

/** Who leads a site's sync, as this process last saw it (for /health, the admin page, `fedgate status`). */
export interface LeaderView {
  /** This process holds the lease. */
  leading: boolean
  /** This process's name in the lease: host:pid:random (no secret). */
  self: string
  /** The lease's holder (this process or another); null when no one held it or the index could not be read. */
  holder: string | null
  /** Until when the holder's lease runs unless renewed (ISO time); null when the lease does not say. */
  until: string | null
}

export class SyncLeader {
  readonly holder = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`
  #leading = false
  /** The lease as the last try saw it. */
  #seen: { holder?: string; until?: number } = {}
  #timer: NodeJS.Timeout | undefined
  #stopped = false
  /** A try is waiting for the index: a hung index must not pile up tries. */
  #asking = false
  /** While leading: the time by which a renewal must have answered, or this process stands down. */
  #mustRenewBy = 0
  #turn: Promise<void> = Promise.resolve()
  readonly #listeners: LeaderEvents[] = []

  constructor(
    private readonly index: Pick<IndexStore, 'lease' | 'releaseLease'>,
    private readonly name: string,
    private readonly o: { ttl: number; log: Logger },
  ) {}

  get leading(): boolean {
    return this.#leading && Date.now() < this.#mustRenewBy
  }

  /**
   * Leads, and the lease certainly runs in the index now, by this machine's clock: false at once in a
   * process thawed past its lease (SIGSTOP, a VM paused), before its next renewal has told it so. What
   * writes into the folder another leader may write checks this at each step.
   */
  holds(): boolean {
    return this.#leading && Date.now() < this.#mustRenewBy
  }

  view(): LeaderView {
    const { holder, until } = this.#seen
    return { leading: this.#leading, self: this.holder, holder: holder ?? null, until: until === undefined ? null : new Date(until).toISOString() }
  }

  /** `events` hears every change of leadership from now on (and `lead` at once if this process leads: resolved once run). */
  on(events: LeaderEvents): Promise<void> {
    this.#listeners.push(events)
    return this.#leading ? this.#serial(async () => void (await events.lead())) : Promise.resolve()
  }

  /**
   * Tries once now (a single process gets the lease at once, before the site listens), then every
   * third of the lease. Real time, not the site's clock: the lease runs out in Redis's or lmdb's time.
   */
  async start(): Promise<void> {
    await this.#tick()
    this.#timer = setInterval(() => void this.#tick(), Math.max(50, Math.floor(this.o.ttl / 3)))
    this.#timer.unref()
  }

  async #tick(): Promise<void> {
    if (this.#stopped || this.#asking) return
    let held: boolean
    const asked = Date.now()
    // A leader must know it still holds the lease before it can run out in the index (it counts from
    // at least `asked`): past the deadline, a renewal that has not answered is a lost lease.
    const deadline = this.#leading ? this.#mustRenewBy : asked + this.#margin()
    this.#asking = true
    try {
      const lease = await withDeadline(this.#ask(), deadline - asked, 'the index')
      held = lease.held
      this.#seen = held ? { holder: this.holder, until: asked + this.o.ttl } : { holder: lease.holder, until: lease.until }
      if (held) this.#mustRenewBy = asked + this.o.ttl - this.#margin()
    } catch (err) {
      // The index is unreachable or hangs: the lease cannot be renewed, so another may take it once it ends.
      held = false
      this.#seen = {}
      if (this.#leading) this.o.log.warn({ reason: (err as Error).message }, 'cannot renew the sync lease')
    } finally {
      this.#asking = false
    }
    if (this.#stopped || held === this.#leading) return
    this.#leading = held
    this.o.log.info({ holder: this.holder }, held ? 'sync leader: this process synchronizes the site' : 'sync lease lost: another process synchronizes the site')
    await this.#serial(async () => {
      for (const l of this.#listeners) await (held ? l.lead() : l.follow())
    })
  }

  async #ask(): Promise<LeaseState> {
    const lease = await this.index.lease(this.name, this.holder, this.o.ttl)
    // A holder on this host whose process is gone (killed, then restarted here) need not be waited for.
    if (!lease.held && (await this.#holderDied(lease))) return this.index.lease(this.name, this.holder, this.o.ttl)
    return lease
  }

  /** How long before its lease could end a leader stands down: room for a stop, and for clocks. */
  #margin(): number {
    return Math.floor(this.o.ttl / 4)
  }

  async #holderDied(lease: LeaseState): Promise<boolean> {
    const other = lease.holder
    const [host, pid] = other?.split(':') ?? []
    if (!other || host !== hostname() || processAlive(Number(pid))) return false
    await this.index.releaseLease(this.name, other)
    return true
  }

  /** Leadership changes run one after the other: a `follow` finishes before the next `lead` starts. */
  #serial(task: () => Promise<void>): Promise<void> {
    this.#turn = this.#turn.then(task).catch((err) => this.o.log.error({ reason: (err as Error).message }, 'sync leadership change failed'))
    return this.#turn
  }

  /** Stops renewing; when leading, stops the listeners' work, then hands the lease on at once. */
  async close(): Promise<void> {
    this.#stopped = true
    clearInterval(this.#timer)
    await this.#turn
    if (!this.#leading) return
    this.#leading = false
    this.#seen = {}
    for (const l of this.#listeners) await l.follow().catch((err: unknown) => this.o.log.error({ reason: (err as Error).message }, 'sync stop failed'))
    // A hung index must not hold up the stop: the lease then runs out by itself.
    await withDeadline(this.index.releaseLease(this.name, this.holder), this.#margin(), 'the index').catch(() => {})
  }
}

/**
 * The blob folder's id: the processes sharing a folder share a leader. Kept in the folder, created by
 * whichever process comes first (an exclusive create: the others read the winner's).
 */
export async function folderId(dir: string): Promise<string> {
  const file = join(dir, 'folder-id')
  try {
    await writeFile(file, randomBytes(12).toString('base64url'), { flag: 'wx' })
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
  }
  // A writer that created the file but has not written yet leaves it empty for an instant.
  for (let i = 0; i < 100; i++) {
    const id = (await readFile(file, 'utf8')).trim()
    if (id) return id
    await new Promise((r) => setTimeout(r, 10))
  }
  throw new Error(`${file} stays empty`)
}
