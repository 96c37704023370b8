const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)$/
const DURATION_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

/** "250ms" | "2s" | "1m" | "1h" | number of ms → ms; undefined when malformed. */
export function parseDuration(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? v : undefined
  if (typeof v !== 'string') return undefined
  const m = DURATION.exec(v.trim())
  return m ? Math.round(Number(m[1]) * DURATION_MS[m[2]!]!) : undefined
}

const BYTES = /^(\d+(?:\.\d+)?)\s*(B|KB|KiB|MB|MiB|GB|GiB)?$/
const BYTE_UNITS: Record<string, number> = { B: 1, KB: 1e3, KiB: 1024, MB: 1e6, MiB: 1024 ** 2, GB: 1e9, GiB: 1024 ** 3 }

/** "64KiB" | "1MiB" | number of bytes → bytes; undefined when malformed. */
export function parseBytes(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isInteger(v) && v >= 0 ? v : undefined
  if (typeof v !== 'string') return undefined
  const m = BYTES.exec(v.trim())
  return m ? Math.floor(Number(m[1]) * BYTE_UNITS[m[2] ?? 'B']!) : undefined
}
