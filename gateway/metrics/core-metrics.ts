// The core's metrics: requests (from the tally), the root and its circuit breaker, hot answers.
import type { HotAnswers } from '../hot-answers.ts'
import { rootFailureKinds, type RootHealth } from '../upstream/root-health.ts'
import type { MetricsRegistry } from './registry.ts'
import type { RequestTally } from './request-tally.ts'

const ROOT_STATES = ['up', 'down', 'recovering'] as const
const CIRCUIT_STATES = ['closed', 'open', 'half-open'] as const

export function coreMetrics(m: MetricsRegistry, d: { tally: RequestTally; rootHealth?: RootHealth; hotAnswers?: HotAnswers; started: number }): void {
  m.requests(d.tally)
  m.gauge('fedgate_start_time_seconds', 'When this site started, in seconds since the Unix epoch', [], () => d.started / 1000)
  const root = d.rootHealth
  if (root) {
    m.gauge('fedgate_root_up', '1 while the root is up (circuit closed), else 0', [], () => (root.state === 'up' ? 1 : 0))
    m.gauge('fedgate_root_state', 'The root\'s state: 1 for the current one', ['state'], () => ROOT_STATES.map((s) => [{ state: s }, root.state === s ? 1 : 0] as const))
    m.gauge('fedgate_circuit_state', 'The circuit breaker in front of the root: 1 for the current state', ['state'], () => CIRCUIT_STATES.map((s) => [{ state: s }, root.breaker.state === s ? 1 : 0] as const))
    m.gauge('fedgate_circuit_state_since_seconds', 'When the circuit breaker entered its current state, in seconds since the Unix epoch', [], () => root.breaker.since / 1000)
    m.counter('fedgate_circuit_transitions_total', 'Moves of the circuit breaker, by the state entered', ['to'], () => CIRCUIT_STATES.map((s) => [{ to: s }, root.transitions[s]] as const))
    m.counter('fedgate_upstream_failures_total', 'Failures of the root: requests (forwarding, sync) refused, timed out or answered with garbage, and failed probes', ['kind'], () => rootFailureKinds.map((k) => [{ kind: k }, root.failures[k]] as const))
    m.counter('fedgate_root_probes_total', 'Active probes sent to the root', [], () => root.probes)
  }
  const hot = d.hotAnswers
  if (hot) {
    m.gauge('fedgate_hot_answers', 'Answers held for repeats (docs/lifecycle.md, step 1); each repeat counts in fedgate_requests_total{stage="repeat"}', [], () => hot.stats().answers)
    m.gauge('fedgate_hot_answers_bytes', 'Memory the held answers take, in bytes', [], () => hot.stats().bytes)
  }
}
