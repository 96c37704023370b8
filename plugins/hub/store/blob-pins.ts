// Pins: blob ids that a writer has stored or found present but not yet committed to a snapshot. Every
// collector of this store (the sync engine, the npm sync) removes only unpinned blobs, and pinning waits
// for a collection in progress, so a blob found present or just stored is never removed before its commit.

export class BlobPins {
  /** Refcounted: several syncs may need the same blob. */
  readonly #pinned = new Map<string, number>()
  /** Serializes collections against pinning. */
  #lock: Promise<unknown> = Promise.resolve()

  /** Pins `ids` once no collection is running; call the returned function to release them (once). */
  async pin(ids: Iterable<string>): Promise<() => void> {
    await this.#lock
    const held = [...ids]
    for (const id of held) this.#pinned.set(id, (this.#pinned.get(id) ?? 0) + 1)
    let released = false
    return () => {
      if (released) return
      released = true
      for (const id of held) {
        const n = (this.#pinned.get(id) ?? 1) - 1
        if (n <= 0) this.#pinned.delete(id)
        else this.#pinned.set(id, n)
      }
    }
  }

  isPinned(id: string): boolean {
    return this.#pinned.has(id)
  }

  /** Runs a collection alone: no pin is taken while it runs, and it sees every pin taken before. */
  exclusive<T>(collect: () => Promise<T>): Promise<T> {
    const run = this.#lock.then(collect)
    this.#lock = run.catch(() => {})
    return run
  }
}

/** Pins taken one by one during a sync (ids known only once stored), released together after its commit. */
export class PinSet {
  readonly #releases: (() => void)[] = []
  constructor(private readonly pins: BlobPins) {}

  async add(id: string): Promise<void> {
    this.#releases.push(await this.pins.pin([id]))
  }

  release(): void {
    for (const r of this.#releases.splice(0)) r()
  }
}
