/**
 * `op`, or a rejection naming `what` once `ms` have passed without its answer (which is then ignored):
 * for a dependency that may hang rather than fail (a Redis server that accepts and never answers).
 */
export function withDeadline<T>(op: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const wait = Math.max(0, ms)
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${wait} ms`)), wait)
  })
  op.catch(() => {}) // answered after the deadline: nobody waits for it any more
  return Promise.race([op, late]).finally(() => clearTimeout(timer))
}
