// prom-client's default process and Node metrics, with a way to stop them. collectDefaultMetrics starts
// an event-loop-delay monitor (it wakes the process every 10 ms) and a GC observer (which keeps the
// registry, and through its collectors the whole gateway, reachable), and offers no way to stop either
// (prometheus/client_js#494, still so in 15.x). So the perf_hooks constructors are watched for the
// length of that one synchronous call, and what it started is stopped when the gateway closes.
import { createRequire } from 'node:module'
import client from 'prom-client'

// The module object prom-client requires (perf_hooks, CommonJS): the same object it reads from.
const perfHooks = createRequire(import.meta.url)('node:perf_hooks') as typeof import('node:perf_hooks')

/** Registers the default metrics in `registry`; the answer stops what they started (once is enough). */
export function collectDefaultMetrics(registry: client.Registry, prefix: string): () => void {
  const monitors: { disable(): boolean }[] = []
  const observers: { disconnect(): void }[] = []
  const { monitorEventLoopDelay, PerformanceObserver } = perfHooks
  perfHooks.monitorEventLoopDelay = (o) => {
    const m = monitorEventLoopDelay(o)
    monitors.push(m)
    return m
  }
  perfHooks.PerformanceObserver = class extends PerformanceObserver {
    constructor(cb: ConstructorParameters<typeof PerformanceObserver>[0]) {
      super(cb)
      observers.push(this)
    }
  }
  try {
    client.collectDefaultMetrics({ register: registry, prefix })
  } finally {
    perfHooks.monitorEventLoopDelay = monitorEventLoopDelay
    perfHooks.PerformanceObserver = PerformanceObserver
  }
  return () => {
    for (const m of monitors.splice(0)) m.disable()
    for (const o of observers.splice(0)) o.disconnect()
  }
}
