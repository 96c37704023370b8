// The process's open-file limit, for defaults that must stay below it.
import { readFileSync } from 'node:fs'

/** The soft limit on open files (Linux's /proc/self/limits); undefined where it cannot be read. */
export function openFileLimit(): number | undefined {
  try {
    const m = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))
    return m ? Number(m[1]) : undefined
  } catch {
    return undefined
  }
}

/**
 * Connections a listener holds by default: each may hold a file or a connection to the root besides its
 * own socket, and a site has two listeners, so a quarter of the limit; at most 10,000.
 */
export function defaultMaxConnections(): number {
  const limit = openFileLimit()
  return limit === undefined ? 10_000 : Math.max(64, Math.min(10_000, Math.floor(limit / 4)))
}
