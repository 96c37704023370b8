// The sync leader's status, shown by every process of the site. Only the leader (leader.ts) syncs, so
// only it knows each repository's state; a worker or node that follows had an empty status, and a
// status page, /health or `fedgate status` answered by it said "0 in sync, change stream off" while the
// site was in sync. So the leader writes what it shows into the index, at most once a second when it
// changed, and the others read it back as often and show that, saying whose it is and from when.
// Whether it changed is told by `version` (the long parts' change counters, the small parts' values):
// building and serializing the whole status to compare cost ≈ 3 ms a second at 10,000 repositories.
import type { Clock } from '../../gateway/util/clock.ts'
import type { IndexStore } from '../hub/store/index.ts'
import type { RepoStatus } from './status.ts'

/** What the leader shows: the same parts the status answer and /health are made of. */
export interface SyncSnapshot {
  /** The leader's name in the lease (host:pid:random), and when it wrote this (epoch ms). */
  holder: string
  at: number
  entries: readonly string[]
  upstream: Record<string, unknown>
  repos: RepoStatus[]
  bytesReceived: number
}

/** Every second: the leader writes (when changed), the others read. */
const EVERY_MS = 1000
/** An unchanged status is written again this often, so a reader can tell a live leader's from a dead one's. */
const REFRESH_MS = 10_000

export class StatusBoard {
  #seen: SyncSnapshot | undefined
  /** The version last written; undefined when none was (or this process has followed since). */
  #written: readonly unknown[] | undefined
  #writtenAt = 0
  #timer: unknown
  #busy = false

  constructor(
    private readonly index: Pick<IndexStore, 'get' | 'set'>,
    private readonly key: string,
    private readonly o: {
      leading: () => boolean
      holder: string
      snapshot: () => Omit<SyncSnapshot, 'holder' | 'at'>
      /** Values that differ whenever the snapshot would (change counters, a few small fields), compared one by one. */
      version: () => readonly unknown[]
      clock: Clock
    },
  ) {}

  start(): void {
    const every = () => {
      void this.tick()
      this.#timer = this.o.clock.setTimeout(every, EVERY_MS)
    }
    every()
  }

  stop(): void {
    this.o.clock.clearTimeout(this.#timer)
  }

  /** The leader's status as last read here; undefined while this process leads or none was written yet. */
  get leaders(): SyncSnapshot | undefined {
    return this.o.leading() ? undefined : this.#seen
  }

  /** One write (leading) or read (following). */
  async tick(): Promise<void> {
    if (this.#busy) return
    this.#busy = true
    try {
      if (this.o.leading()) {
        this.#seen = undefined
        // Taken before the snapshot: a change while it is written bumps it again, for the next tick.
        const version = this.o.version()
        const now = this.o.clock.now()
        if (this.#written !== undefined && sameValues(version, this.#written) && now - this.#writtenAt < REFRESH_MS) return
        await this.index.set(this.key, { holder: this.o.holder, at: now, ...this.o.snapshot() })
        this.#written = version
        this.#writtenAt = now
      } else {
        this.#written = undefined
        const s = await this.index.get<SyncSnapshot>(this.key)
        // Our own, from when this process led: not another leader's.
        this.#seen = s?.holder === this.o.holder ? undefined : s
      }
    } catch {
      // The index unreachable: the last status read stays shown, with its time.
    } finally {
      this.#busy = false
    }
  }
}

function sameValues(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i])
}
