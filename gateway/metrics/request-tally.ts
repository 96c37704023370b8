// Per-request figures for /metrics, kept where the request log line is written (docs/lifecycle.md,
// step 6) in plain typed arrays: a hot repeat costs a few additions, and prom-client reads the arrays
// only when it is scraped (metrics/registry.ts). prom-client's own observe() hashes its labels on every
// call, which is a visible share of a 1 KiB hit.
import { routeStages } from '../plugin-api.ts'

/** The stage label: a repeat (step 1) skipped routing; `none` is a request no route took (guard, 404). */
export const tallyStages = ['repeat', ...routeStages, 'none'] as const
export const statusClasses = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const
/** Upper bounds of the duration buckets, in seconds (+Inf is implied). */
export const durationBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] as const
const REPEAT = 0
const NONE = tallyStages.length - 1
const BUCKETS = durationBuckets.length + 1
const BOUNDS_MS = durationBuckets.map((s) => s * 1000)

export class RequestTally {
  /** [stage][status class] → requests. */
  readonly counts = new Float64Array(tallyStages.length * statusClasses.length)
  /** [stage][bucket] → requests whose duration fell in that bucket (not cumulative). */
  readonly buckets = new Float64Array(tallyStages.length * BUCKETS)
  /** [stage] → seconds. */
  readonly seconds = new Float64Array(tallyStages.length)
  /** Requests answered with a catalogue error, by its code (bounded by the catalogue). */
  readonly errors = new Map<string, number>()
  /** route name → requests by status class (bounded by the routes plugins declare). */
  readonly byRoute = new Map<string, Float64Array>()
  readonly #stageOf: Map<string, number>

  constructor(routes: readonly { name: string; stage: string }[]) {
    this.#stageOf = new Map(routes.map((r) => [r.name, tallyStages.indexOf(r.stage as (typeof tallyStages)[number])]))
    for (const r of routes) this.byRoute.set(r.name, new Float64Array(statusClasses.length))
  }

  /** A request answered through routing (or refused before it). */
  record(route: string | undefined, status: number, ms: number, error: string | undefined): void {
    const stage = route === undefined ? NONE : this.#stageOf.get(route) ?? NONE
    this.#add(stage, status, ms)
    if (route !== undefined) {
      const r = this.byRoute.get(route)
      if (r !== undefined) r[classOf(status)]!++
    }
    if (error !== undefined) this.errors.set(error, (this.errors.get(error) ?? 0) + 1)
  }

  /** A hot answer repeated (step 1); 200 unless the client left or took nothing (send timeout). */
  repeat(ms: number, status: number): void {
    this.#add(REPEAT, status, ms)
  }

  #add(stage: number, status: number, ms: number): void {
    this.counts[stage * statusClasses.length + classOf(status)]!++
    let b = 0
    while (b < BOUNDS_MS.length && ms > BOUNDS_MS[b]!) b++
    this.buckets[stage * BUCKETS + b]!++
    this.seconds[stage]! += ms / 1000
  }
}

function classOf(status: number): number {
  const c = Math.floor(status / 100) - 1
  return c < 0 ? 0 : c > 4 ? 4 : c
}
