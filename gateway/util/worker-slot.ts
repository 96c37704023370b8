// Which of a site's worker processes this is (gateway/cluster.ts), for state a worker must keep apart
// from the others on one disk (the forward cache's folder). A replacement takes the slot of the worker
// it replaces, so folders do not pile up. Undefined when the site runs as one process.
export const WORKER_SLOT_ENV = 'FEDGATE_WORKER_SLOT'

export function workerSlot(): number | undefined {
  const v = process.env[WORKER_SLOT_ENV]
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined
}
