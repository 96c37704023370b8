// Time goes through this so tests can drive it with a fake clock (clock-mock / t.clock) instead of sleeping.
export interface Clock {
  now(): number
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

/** Node fires a timer longer than this (about 24.8 days) after 1 ms: a longer wait is taken in steps. */
const LONGEST_TIMER = 2 ** 31 - 1

interface SystemTimer {
  current?: NodeJS.Timeout
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const timer: SystemTimer = {}
    const arm = (left: number) => {
      timer.current = setTimeout(left > LONGEST_TIMER ? () => arm(left - LONGEST_TIMER) : fn, Math.min(left, LONGEST_TIMER))
      // Unref'd: a pending probe or retry must never keep the process alive on shutdown.
      timer.current.unref()
    }
    arm(ms)
    return timer
  },
  clearTimeout: (h) => clearTimeout((h as SystemTimer | undefined)?.current),
}
