// One upstream request's signal: aborted by the site's stop or by its deadline, and once released it
// leaves nothing on the long-lived stop signal (no listener, no timer).
import t from 'tap'
import { getEventListeners } from 'node:events'
import { requestSignal } from '../gateway/util/request-signal.ts'

t.test('the stop aborts the request with the stop reason; release removes the listener', async (t) => {
  const stop = new AbortController()
  const r = requestSignal(stop.signal, 1000, t.clock)
  t.equal(getEventListeners(stop.signal, 'abort').length, 1, 'one listener while the request runs')
  const why = new Error('stopping')
  stop.abort(why)
  t.ok(r.signal.aborted)
  t.equal(r.signal.reason, why)
  r.release()
  t.equal(getEventListeners(stop.signal, 'abort').length, 0)
})

t.test('the deadline aborts the request with a TimeoutError, as AbortSignal.timeout did', async (t) => {
  const stop = new AbortController()
  const r = requestSignal(stop.signal, 1000, t.clock)
  t.clock.advance(999)
  t.notOk(r.signal.aborted)
  t.clock.advance(1)
  t.ok(r.signal.aborted)
  t.equal((r.signal.reason as DOMException).name, 'TimeoutError')
  r.release()
  t.equal(getEventListeners(stop.signal, 'abort').length, 0)
  t.notOk(stop.signal.aborted, 'the stop signal is untouched')
})

t.test('a released request is aborted by neither; many requests leave no listener', async (t) => {
  const stop = new AbortController()
  const r = requestSignal(stop.signal, 1000, t.clock)
  r.release()
  r.release()
  t.clock.advance(5000)
  stop.abort()
  t.notOk(r.signal.aborted)

  const live = new AbortController()
  for (let i = 0; i < 1000; i++) requestSignal(live.signal, 1000, t.clock).release()
  t.equal(getEventListeners(live.signal, 'abort').length, 0)
})

t.test('a stop that already happened aborts at once', async (t) => {
  const stop = new AbortController()
  stop.abort(new Error('gone'))
  const r = requestSignal(stop.signal, 1000, t.clock)
  t.ok(r.signal.aborted)
  t.equal((r.signal.reason as Error).message, 'gone')
  r.release()
})
