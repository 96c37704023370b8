/**
 * `fn(ctx)` computed once per request. A route's match() and handle() run back to back for one request,
 * so keeping the last answer is enough (a WeakMap entry per request cost more than the parse it saved);
 * a call for another request simply computes again.
 */
export function perRequest<C extends object, T>(fn: (ctx: C) => T): (ctx: C) => T {
  let last: C | undefined
  let value: T
  return (ctx) => {
    if (ctx !== last) {
      value = fn(ctx)
      last = ctx
    }
    return value
  }
}
