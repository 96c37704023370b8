// The gateway always knows whether its root is up: an active probe every interval plus the failures
// that forwarding and sync report (transport failures and timeouts, never an answer's status), both
// feeding one circuit breaker.
import type { Logger } from 'pino'
import type { Clock } from '../util/clock.ts'
import { CircuitBreaker, type CircuitState } from './circuit-breaker.ts'
import { GatewayError, failureName, upstreamError, isRootFailure } from '../errors.ts'
import type { RootClient } from './root-client.ts'
import { requestSignal } from '../util/request-signal.ts'

export interface RootHealthOptions {
  path: string
  interval: number
  timeout: number
  failures: number
  backoff: number
  maxBackoff: number
}

const NEVER_STOPS = new AbortController().signal

const STATE_NAME: Record<CircuitState, 'up' | 'down' | 'recovering'> = { closed: 'up', open: 'down', 'half-open': 'recovering' }

/** Kinds of root failure counted for /metrics: the catalogue's three transport failures, and failed probes. */
export const rootFailureKinds = ['refused', 'timeout', 'bad_response', 'probe'] as const
export type RootFailureKind = (typeof rootFailureKinds)[number]
const KIND_OF: Record<string, RootFailureKind> = { GW_ERR_ROOT_UNAVAILABLE: 'refused', GW_ERR_ROOT_TIMEOUT: 'timeout', GW_ERR_ROOT_BAD_RESPONSE: 'bad_response' }

export class RootHealth {
  readonly breaker: CircuitBreaker
  #timer: unknown
  #stopped = false
  #probing = false
  probes = 0
  /** Failures reported, by kind (requests and sync: transport failures and timeouts; probes). */
  readonly failures = Object.fromEntries(rootFailureKinds.map((k) => [k, 0])) as Record<RootFailureKind, number>
  /** Moves of the circuit breaker, by the state entered. */
  readonly transitions: Record<CircuitState, number> = { closed: 0, open: 0, 'half-open': 0 }

  constructor(
    private readonly client: RootClient,
    private readonly opts: RootHealthOptions,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    this.breaker = new CircuitBreaker(opts, clock)
    this.breaker.on('change', (to, from) => {
      this.transitions[to]++
      const msg = `root is ${STATE_NAME[to]}`
      if (to === 'open') this.log.warn({ root: client.origin, from: STATE_NAME[from], reason: this.breaker.lastError }, msg)
      else this.log.info({ root: client.origin, from: STATE_NAME[from] }, msg)
    })
  }

  get state(): 'up' | 'down' | 'recovering' {
    return STATE_NAME[this.breaker.state]
  }

  /** Throws GW_ERR_ROOT_DOWN (503 + Retry-After) at once while the circuit is open. */
  admit(): void {
    if (!this.breaker.allow()) {
      throw new GatewayError('GW_ERR_ROOT_DOWN', undefined, { 'retry-after': String(this.breaker.retryAfterSeconds()) })
    }
  }

  /** Report the outcome of a request that went to the root. */
  report(err?: unknown): void {
    if (!err) return this.breaker.success()
    const ge = err instanceof GatewayError ? err : upstreamError(err)
    if (isRootFailure(ge)) {
      this.failures[KIND_OF[ge.code]!]++
      this.breaker.failure(describe(err))
    } else this.breaker.success()
  }

  /**
   * Report the status of an answer the root sent to a request. A 5xx counts neither way: clients choose
   * the paths, and a path the root fails must not open the circuit for everyone; the probe, transport
   * failures and timeouts decide. A half-open trial answered 5xx lets the next request try.
   */
  reportStatus(status: number): void {
    if (status >= 500) this.breaker.release()
    else this.breaker.success()
  }

  /** A request admitted by admit() ended before the root answered, for reasons of the client's. */
  abandon(): void {
    this.breaker.release()
  }

  start(): void {
    this.#schedule(0)
  }

  stop(): void {
    this.#stopped = true
    if (this.#timer !== undefined) this.clock.clearTimeout(this.#timer)
  }

  /** Runs one probe now; resolves to whether the root answered. */
  async probe(): Promise<boolean> {
    if (this.#probing) return this.breaker.state === 'closed'
    this.#probing = true
    this.probes++
    // Not AbortSignal.timeout: past 2^31-1 ms (root.health.timeout: 600h) Node fires it after 1 ms.
    const deadline = requestSignal(NEVER_STOPS, this.opts.timeout)
    try {
      const res = await this.client.pool.request({
        path: this.client.basePath + this.opts.path,
        method: 'GET',
        headersTimeout: this.opts.timeout,
        bodyTimeout: this.opts.timeout,
        signal: deadline.signal,
      })
      await res.body.dump()
      if (res.statusCode >= 500) {
        this.failures.probe++
        this.breaker.probeFailed(`probe answered ${res.statusCode}`)
        return false
      }
      this.breaker.success()
      return true
    } catch (err) {
      this.failures.probe++
      this.breaker.probeFailed(describe(err))
      return false
    } finally {
      deadline.release()
      this.#probing = false
    }
  }

  snapshot(): Record<string, unknown> {
    return {
      url: this.client.origin + this.client.basePath,
      state: this.state,
      circuit: this.breaker.state,
      since: new Date(this.breaker.since).toISOString(),
      ...(this.breaker.lastError ? { lastError: this.breaker.lastError } : {}),
    }
  }

  #schedule(ms: number): void {
    if (this.#stopped) return
    this.#timer = this.clock.setTimeout(() => {
      this.probe().finally(() => this.#schedule(this.opts.interval))
    }, ms)
  }
}

/** A short reason for logs and /health: an error code, never a header or body. */
function describe(err: unknown): string {
  if (err instanceof GatewayError) return err.code + (err.cause ? ` (${describe(err.cause)})` : '')
  return failureName(err)
}
