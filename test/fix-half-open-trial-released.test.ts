// A half-open trial whose client left before the root answered used to keep the trial slot taken,
// so every later request got 503 until the next successful probe.
import t from 'tap'
import { CircuitBreaker } from '../gateway/upstream/circuit-breaker.ts'

t.test('a released half-open trial lets the next request try', async (t) => {
  const b = new CircuitBreaker({ failures: 1, backoff: 1000, maxBackoff: 8000 }, t.clock)
  b.failure('ECONNREFUSED')
  t.equal(b.state, 'open')
  t.clock.advance(1000)
  t.ok(b.allow(), 'the trial goes')
  t.notOk(b.allow(), 'a second request waits for the trial')
  b.release()
  t.equal(b.state, 'half-open', 'releasing gives no verdict')
  t.ok(b.allow(), 'the next request becomes the trial')
})
