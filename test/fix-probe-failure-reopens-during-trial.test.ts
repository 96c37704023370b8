// A root that takes connections and never answers: once the circuit was half-open, a request became its
// trial and hung until its own timeout (a minute and more), and failed probes meanwhile changed nothing,
// so /health said "recovering" the whole time. A failed probe now opens the circuit at once, trial or
// not; the trial's own verdict still counts when it comes.
import t from 'tap'
import { CircuitBreaker } from '../gateway/upstream/circuit-breaker.ts'

t.test('a failed probe opens a half-open circuit whose trial is still out', async (t) => {
  const b = new CircuitBreaker({ failures: 1, backoff: 1000, maxBackoff: 8000 }, t.clock)
  b.probeFailed('TimeoutError')
  t.equal(b.state, 'open')
  t.clock.advance(1000)
  t.ok(b.allow(), 'the trial goes (and hangs)')
  b.probeFailed('TimeoutError')
  t.equal(b.state, 'open', 'the probe failing opens the circuit again, the trial still out')
  t.notOk(b.allow(), 'no request goes while open')
  t.clock.advance(1000)
  t.equal(b.state, 'half-open')
  t.ok(b.allow(), 'after the wait, a new trial may go: the hung one does not hold the slot')
  b.success()
  t.equal(b.state, 'closed', 'a trial that succeeds closes it')
})
