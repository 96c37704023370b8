// A signal for one upstream request: aborted when the site stops or when the request's time is up.
// Not AbortSignal.any([stop, AbortSignal.timeout(ms)]): on Node 20 the long-lived stop signal keeps a
// reference to every signal made from it for as long as it lives, so memory grew with every request.
import { systemClock, type Clock } from './clock.ts'

export interface RequestSignal {
  readonly signal: AbortSignal
  /** Drops the listener on `stop` and the timer: call it once the request and its body are done. */
  release(): void
}

export function requestSignal(stop: AbortSignal, timeoutMs: number, clock: Clock = systemClock): RequestSignal {
  const ac = new AbortController()
  if (stop.aborted) {
    ac.abort(stop.reason)
    return { signal: ac.signal, release() {} }
  }
  const onStop = () => ac.abort(stop.reason)
  stop.addEventListener('abort', onStop, { once: true })
  // The same reason AbortSignal.timeout gives, so callers see what they saw before.
  const timer = clock.setTimeout(() => ac.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')), timeoutMs)
  return {
    signal: ac.signal,
    release() {
      clock.clearTimeout(timer)
      stop.removeEventListener('abort', onStop)
    },
  }
}
