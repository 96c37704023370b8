// One fetch in flight per key: callers asking while it runs share its outcome, success or failure.
// Nothing is kept once it settles (the next caller starts a new fetch); caching is another layer's job.
export class InFlight<T> {
  readonly #running = new Map<string, Promise<T>>()

  /** How many fetches are running. */
  get size(): number {
    return this.#running.size
  }

  /** `fetch()`'s outcome, shared with every caller of the same key while it runs. */
  run(key: string, fetch: () => Promise<T>): Promise<T> {
    const running = this.#running.get(key)
    if (running) return running
    const p = fetch().finally(() => this.#running.delete(key))
    this.#running.set(key, p)
    return p
  }
}
