import { EventEmitter } from 'node:events'
import type { Clock } from '../util/clock.ts'

export type CircuitState = 'closed' | 'open' | 'half-open'

export interface CircuitOptions {
  /** Consecutive failures that open the circuit. */
  failures: number
  /** First wait while open before a trial is let through; doubles after each failed trial. */
  backoff: number
  maxBackoff: number
}

/**
 * closed → (N consecutive failures) → open → (backoff elapsed) → half-open: one trial →
 * success: closed, failure: open with doubled backoff. A success seen in any state closes it.
 */
export class CircuitBreaker extends EventEmitter<{ change: [CircuitState, CircuitState] }> {
  #state: CircuitState = 'closed'
  #since: number
  #consecutive = 0
  #backoff: number
  #openUntil = 0
  #trialInFlight = false
  lastError?: string

  constructor(
    private readonly opts: CircuitOptions,
    private readonly clock: Clock,
  ) {
    super()
    this.#since = clock.now()
    this.#backoff = opts.backoff
  }

  get state(): CircuitState {
    if (this.#state === 'open' && this.clock.now() >= this.#openUntil) this.#move('half-open')
    return this.#state
  }
  get since(): number {
    return this.#since
  }

  /** May a request go now? In half-open, only one trial at a time. */
  allow(): boolean {
    const s = this.state
    if (s === 'closed') return true
    if (s === 'half-open' && !this.#trialInFlight) {
      this.#trialInFlight = true
      return true
    }
    return false
  }

  /** Seconds a refused caller should wait, for Retry-After (at least 1). */
  retryAfterSeconds(): number {
    return Math.max(1, Math.ceil((this.#openUntil - this.clock.now()) / 1000))
  }

  /** A trial let through by allow() ended with no verdict (its client left): let the next one try. */
  release(): void {
    this.#trialInFlight = false
  }

  success(): void {
    this.#consecutive = 0
    this.#trialInFlight = false
    this.#backoff = this.opts.backoff
    this.lastError = undefined
    if (this.#state !== 'closed') this.#move('closed')
  }

  failure(reason: string): void {
    this.lastError = reason
    this.#consecutive++
    const wasTrial = this.#state === 'half-open'
    this.#trialInFlight = false
    if (wasTrial) {
      this.#backoff = Math.min(this.#backoff * 2, this.opts.maxBackoff)
      this.#open()
    } else if (this.#state === 'closed' && this.#consecutive >= this.opts.failures) {
      this.#open()
    }
  }

  /**
   * The active probe saw the root fail: it is authoritative, open at once, also while a half-open trial
   * is out (a trial hanging on a silent root kept the site "recovering" until its own timeout, a minute
   * and more). That trial's verdict still counts when it comes: a success closes the circuit.
   */
  probeFailed(reason: string): void {
    this.lastError = reason
    this.#consecutive = Math.max(this.#consecutive + 1, this.opts.failures)
    // The getter: an open circuit whose wait is over is half-open, and opens again.
    if (this.state === 'half-open') this.#trialInFlight = false
    if (this.#state !== 'open') this.#open()
  }

  #open(): void {
    this.#openUntil = this.clock.now() + this.#backoff
    this.#move('open')
  }

  #move(to: CircuitState): void {
    const from = this.#state
    if (from === to) return
    this.#state = to
    this.#since = this.clock.now()
    this.emit('change', to, from)
  }
}
