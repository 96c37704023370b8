// /metrics with `workers: N`. A scrape reaches one worker (the listeners are shared) and each worker's
// figures are its own, so answered from whichever worker took the connection, /metrics showed the sync
// leader one scrape and none the next, and counters that went back. So a worker asks the primary, which
// gathers every ready worker's registry over prom-client's own cluster messages and answers one text,
// each series labelled with its worker's slot: the same series at every scrape, counters that only grow
// (sum them in PromQL for the site).
import cluster, { type Worker } from 'node:cluster'
import client from 'prom-client'

/** prom-client's worker protocol (lib/cluster.js): a worker with an AggregatorRegistry answers these. */
const GATHER = 'prom-client:getMetricsReq'
const GATHERED = 'prom-client:getMetricsRes'
const ASK = 'fedgate:metrics?'
const ANSWER = 'fedgate:metrics'
/** A worker that does not answer (dying, or still starting) is left out after this. */
const GATHER_MS = 3000

/** In a worker: labels `registry`'s series with the slot, and lets the primary gather them. */
export function joinWorkersMetrics(registry: client.Registry, slot: number): void {
  registry.setDefaultLabels({ worker: String(slot) })
  // prom-client leaves out, across workers, what it cannot merge (aggregator 'omit': the process's start
  // time). Labelled by slot, no two workers' series merge: each is kept as it is.
  for (const m of registry.getMetricsAsArray() as { aggregator?: string }[]) if (m.aggregator === 'omit') m.aggregator = 'first'
  client.AggregatorRegistry.setRegistries([registry])
  new client.AggregatorRegistry() // its constructor installs the worker's answering listener
}

interface Answer {
  fedgate: typeof ANSWER
  id: number
  text?: string
  error?: string
}
const asked = new Map<number, (a: Answer) => void>()
let nextAsk = 0
let hearing = false

/** In a worker: every worker's metrics, as the primary gathered them. */
export function workersMetrics(): Promise<string> {
  if (!hearing) {
    hearing = true
    process.on('message', (m: Answer) => {
      if (m?.fedgate === ANSWER) asked.get(m.id)?.(m)
    })
  }
  const id = nextAsk++
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => settle({ fedgate: ANSWER, id, error: 'the primary did not answer with the workers\' metrics in time' }), GATHER_MS + 2000)
    const settle = (a: Answer) => {
      clearTimeout(timer)
      asked.delete(id)
      if (a.text !== undefined) resolve(a.text)
      else reject(new Error(a.error ?? 'no metrics'))
    }
    asked.set(id, settle)
    process.send!({ fedgate: ASK, id })
  })
}

/** In the primary: answers workers' asks with the metrics of every worker `ready` lists. */
export function gatherWorkersMetrics(ready: () => Worker[]): void {
  const gathering = new Map<number, (from: Worker, m: { metrics?: unknown[]; error?: string }) => void>()
  let nextGather = 0
  cluster.on('message', (from: Worker, m: { type?: string; requestId?: number; fedgate?: string; id?: number; metrics?: unknown[]; error?: string }) => {
    if (m?.type === GATHERED) return gathering.get(m.requestId!)?.(from, m)
    if (m?.fedgate !== ASK) return
    const requestId = nextGather++
    const workers = ready()
    const parts: unknown[] = []
    let left = workers.length
    const done = () => {
      clearTimeout(timer)
      gathering.delete(requestId)
      const answer = (a: Omit<Answer, 'fedgate' | 'id'>) => from.isConnected() && from.send({ fedgate: ANSWER, id: m.id, ...a })
      // A series that fails to aggregate is a bug here, not the scraper's: the asking worker answers 500.
      Promise.resolve()
        .then(() => client.AggregatorRegistry.aggregate(parts as Parameters<typeof client.AggregatorRegistry.aggregate>[0]).metrics())
        .then((text) => answer({ text }), (err: Error) => answer({ error: err.message }))
    }
    const timer = setTimeout(done, GATHER_MS)
    gathering.set(requestId, (_w, r) => {
      if (!r.error) parts.push(...(r.metrics ?? []))
      if (--left === 0) done()
    })
    if (left === 0) return done()
    for (const w of workers) w.send({ type: GATHER, requestId })
  })
}

/** Is this process a worker of a `workers: N` site (its /metrics is the primary's gathering)? */
export const inWorkers = (): boolean => cluster.isWorker
