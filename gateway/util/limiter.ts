// At most `size` tasks (or held slots) at once; the rest wait in order. Shared by sync's downloads and
// forwarding's connections to the root, whose waiters give up at their own deadline.

/** Gives a slot back; may be called any number of times (the first counts). */
export type Release = () => void

export class Limiter {
  #active = 0
  readonly #waiting: (() => void)[] = []
  constructor(private readonly size: number) {}

  /** A slot now, or undefined when all are taken (no promise is made for the common case). */
  tryAcquire(): Release | undefined {
    if (this.#active >= this.size) return undefined
    this.#active++
    return this.#release()
  }

  /**
   * Waits for a slot. When `signal` aborts first, the waiter leaves the line (it holds no memory there
   * and is never handed a slot) and the promise rejects with the signal's reason.
   */
  acquire(signal?: AbortSignal): Promise<Release> {
    const now = this.tryAcquire()
    if (now) return Promise.resolve(now)
    if (signal?.aborted) return Promise.reject(signal.reason)
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        const i = this.#waiting.indexOf(wake)
        if (i !== -1) this.#waiting.splice(i, 1)
        reject(signal!.reason)
      }
      // A released slot passes straight to the first waiter (still counted), so no caller arriving
      // between the release and the waiter's wake-up can take it as well.
      const wake = () => {
        signal?.removeEventListener('abort', onAbort)
        resolve(this.#release())
      }
      this.#waiting.push(wake)
      signal?.addEventListener('abort', onAbort, { once: true })
    })
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    const release = await this.acquire()
    try {
      return await task()
    } finally {
      release()
    }
  }

  /** Slots held now. */
  get active(): number {
    return this.#active
  }

  /** Callers waiting for a slot. */
  get waiting(): number {
    return this.#waiting.length
  }

  #release(): Release {
    let held = true
    return () => {
      if (!held) return
      held = false
      const next = this.#waiting.shift()
      if (next) next()
      else this.#active--
    }
  }
}
