import t from 'tap'
import { CircuitBreaker, type CircuitState } from '../gateway/upstream/circuit-breaker.ts'

t.test('closed → open → half-open → closed, with doubled backoff capped at maxBackoff', async (t) => {
  const b = new CircuitBreaker({ failures: 3, backoff: 1000, maxBackoff: 3000 }, t.clock)
  const changes: CircuitState[] = []
  b.on('change', (to) => changes.push(to))
  t.equal(b.state, 'closed')
  b.failure('e1')
  b.failure('e2')
  t.equal(b.state, 'closed', 'below the threshold it stays closed')
  t.ok(b.allow())
  b.failure('e3')
  t.equal(b.state, 'open', 'opens after `failures` consecutive failures')
  t.notOk(b.allow(), 'refuses while open')
  t.equal(b.retryAfterSeconds(), 1)

  t.clock.advance(999)
  t.equal(b.state, 'open')
  t.clock.advance(1)
  t.equal(b.state, 'half-open', 'half-open once the backoff elapsed')
  t.ok(b.allow(), 'one trial goes')
  t.notOk(b.allow(), 'only one trial at a time')
  b.failure('trial failed')
  t.equal(b.state, 'open', 'a failed trial reopens')
  t.equal(b.retryAfterSeconds(), 2, 'backoff doubled to 2s')

  t.clock.advance(2000)
  t.ok(b.allow())
  b.failure('again')
  t.equal(b.retryAfterSeconds(), 3, 'doubling is capped at maxBackoff (3s, not 4s)')
  t.clock.advance(2999)
  t.notOk(b.allow())
  t.clock.advance(1)
  t.ok(b.allow())
  b.success()
  t.equal(b.state, 'closed', 'a successful trial closes it')
  t.equal(b.since, t.clock.now())

  // The backoff starts over after a success.
  b.failure('a')
  b.failure('b')
  b.failure('c')
  t.equal(b.retryAfterSeconds(), 1, 'backoff reset after closing')
  t.same(changes, ['open', 'half-open', 'open', 'half-open', 'open', 'half-open', 'closed', 'open'])
})

t.test('a failed probe opens the circuit at once; a success in any state closes it', async (t) => {
  const b = new CircuitBreaker({ failures: 5, backoff: 1000, maxBackoff: 8000 }, t.clock)
  b.probeFailed('ECONNREFUSED')
  t.equal(b.state, 'open')
  t.equal(b.lastError, 'ECONNREFUSED')
  b.success()
  t.equal(b.state, 'closed')
  t.equal(b.lastError, undefined)
})
