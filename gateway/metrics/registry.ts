// The /metrics registry: prom-client formats everything; the values are read when Prometheus scrapes
// (pull-style collectors over the counters the gateway and its plugins already keep for /health), so
// serving requests does no metrics work beyond the request tally (request-tally.ts).
import client from 'prom-client'
import { collectDefaultMetrics } from './default-metrics.ts'
import { durationBuckets, statusClasses, tallyStages, type RequestTally } from './request-tally.ts'
import { inWorkers, joinWorkersMetrics, workersMetrics } from './workers.ts'
import { workerSlot } from '../util/worker-slot.ts'

export type Labels = Record<string, string>
/** What a pulled metric reads at scrape time: one value, or one value per label set. */
export type Reading = number | Iterable<readonly [Labels, number]>

/** What the core and each plugin (PluginInstance.metrics) use to declare metrics. */
export interface Metrics {
  /** A counter (name ends in `_total`) whose running total is read from existing stats at each scrape. */
  counter(name: string, help: string, labelNames: readonly string[], read: () => Reading): void
  /** A gauge read at each scrape. */
  gauge(name: string, help: string, labelNames: readonly string[], read: () => Reading): void
}

export class MetricsRegistry implements Metrics {
  readonly registry = new client.Registry()
  readonly #stopDefaults: () => void

  constructor() {
    // Process and Node figures (CPU, memory, event-loop lag, handles, GC), read when scraped.
    this.#stopDefaults = collectDefaultMetrics(this.registry, 'fedgate_')
    const slot = workerSlot()
    if (inWorkers() && slot !== undefined) joinWorkersMetrics(this.registry, slot)
  }

  /** Stops the event-loop monitor and GC observer the default metrics started (the gateway closes). */
  close(): void {
    this.#stopDefaults()
  }

  counter(name: string, help: string, labelNames: readonly string[], read: () => Reading): void {
    checkName(name, true)
    new client.Counter(pulled(this.registry, name, help, labelNames, read, (c: client.Counter, labels, v) => c.inc(labels, v)))
  }

  gauge(name: string, help: string, labelNames: readonly string[], read: () => Reading): void {
    checkName(name, false)
    new client.Gauge(pulled(this.registry, name, help, labelNames, read, (g: client.Gauge, labels, v) => g.set(labels, v)))
  }

  /** Requests by stage and status class, their durations, and error answers by code. */
  requests(tally: RequestTally): void {
    const perClass = statusClasses.length
    this.counter('fedgate_requests_total', 'Requests answered, by route stage (repeat: a hot answer repeated before routing; none: refused before routing) and status class', ['stage', 'status_class'], function* () {
      for (let s = 0; s < tallyStages.length; s++) for (let c = 0; c < perClass; c++) yield [{ stage: tallyStages[s]!, status_class: statusClasses[c]! }, tally.counts[s * perClass + c]!] as const
    })
    this.counter('fedgate_route_requests_total', 'Requests answered, by the route that took them and status class', ['route', 'status_class'], function* () {
      for (const [route, counts] of tally.byRoute) for (let c = 0; c < perClass; c++) yield [{ route, status_class: statusClasses[c]! }, counts[c]!] as const
    })
    this.counter('fedgate_forwarded_requests_total', 'Requests forwarded to the root, by the status class of the answer the client got', ['status_class'], function* () {
      const counts = tally.byRoute.get('forward')
      if (counts) for (let c = 0; c < perClass; c++) yield [{ status_class: statusClasses[c]! }, counts[c]!] as const
    })
    this.counter('fedgate_error_answers_total', 'Requests answered with a catalogue error (gateway/errors.ts), by its code', ['code'], () => [...tally.errors].map(([code, n]) => [{ code }, n] as const))
    new TalliedHistogram(tally, this.registry)
  }

  /** This process's metrics; a worker's answer is every worker's (workers.ts). */
  metrics(): Promise<string> {
    return inWorkers() ? workersMetrics() : this.registry.metrics()
  }

  get contentType(): string {
    return this.registry.contentType
  }
}

const DURATION = 'fedgate_request_duration_seconds'
const DURATION_HELP = "Time from a request's arrival to its answer's end, by route stage"

/**
 * A prom-client histogram whose buckets are the tally's: Prometheus' text comes from prom-client as for
 * any histogram, the observations were counted on the request path without it.
 */
class TalliedHistogram extends client.Histogram<'stage'> {
  constructor(
    private readonly tally: RequestTally,
    registry: client.Registry,
  ) {
    super({ name: DURATION, help: DURATION_HELP, labelNames: ['stage'], buckets: [...durationBuckets], registers: [registry] })
  }

  override async get(): Promise<client.MetricObjectWithValues<client.MetricValueWithName<'stage' | 'le'>>> {
    const values: client.MetricValueWithName<'stage' | 'le'>[] = []
    const per = durationBuckets.length + 1
    tallyStages.forEach((stage, s) => {
      let acc = 0
      for (let b = 0; b < per; b++) {
        acc += this.tally.buckets[s * per + b]!
        values.push({ metricName: `${DURATION}_bucket`, labels: { stage, le: b < durationBuckets.length ? durationBuckets[b]! : '+Inf' }, value: acc })
      }
      values.push({ metricName: `${DURATION}_sum`, labels: { stage }, value: this.tally.seconds[s]! })
      values.push({ metricName: `${DURATION}_count`, labels: { stage }, value: acc })
    })
    // MetricType is a TypeScript enum with no value at run time: prom-client's own metrics say 'histogram'.
    return { name: DURATION, help: DURATION_HELP, type: 'histogram' as unknown as client.MetricType, values, aggregator: 'sum', collect: () => {} }
  }

  /** What prom-client's Registry reads when it has it (it prefers this to get()). */
  getForPromString(): Promise<client.MetricObjectWithValues<client.MetricValueWithName<'stage' | 'le'>>> {
    return this.get()
  }
}

function* readings(r: Reading): Iterable<readonly [Labels, number]> {
  if (typeof r === 'number') yield [{}, r]
  else yield* r
}

/** A metric's configuration whose values are read at each scrape: reset, then `apply` each reading. */
function pulled<M extends { reset(): void }>(registry: client.Registry, name: string, help: string, labelNames: readonly string[], read: () => Reading, apply: (metric: M, labels: Labels, value: number) => void) {
  return {
    name,
    help,
    labelNames: [...labelNames],
    registers: [registry],
    collect(this: M) {
      this.reset()
      for (const [labels, v] of readings(read())) apply(this, labels, v)
    },
  }
}

/** Prometheus naming, checked once at start: a misnamed metric is a programming error. */
function checkName(name: string, counter: boolean): void {
  if (!/^fedgate_[a-z0-9_]+$/.test(name)) throw new Error(`metric ${name}: names are fedgate_ and snake_case`)
  if (counter !== name.endsWith('_total')) throw new Error(`metric ${name}: counters, and only counters, end in _total`)
}
