// Measures several targets in interleaved rounds and keeps each one's median run: on a shared machine
// a burst of outside load then hits every row alike instead of sinking one of them.
import { measure, type LoadOptions, type LoadPlacement } from './load.ts'
import type { Row } from './table.ts'

export interface Target {
  name: string
  load: LoadOptions
}

export async function measureInterleaved(targets: readonly Target[], o: { rounds: number; warmup: number; placement: LoadPlacement }): Promise<Row[]> {
  const runs = new Map<string, Row[]>(targets.map((t) => [t.name, []]))
  for (let round = 0; round < o.rounds; round++) {
    for (const t of targets) {
      // Servers stay up between rounds, so only the first round needs a warm-up.
      const r = { name: t.name, ...(await measure({ ...t.load, warmup: round === 0 ? o.warmup : 0 }, o.placement)) }
      runs.get(t.name)!.push(r)
      console.log(`  round ${round + 1}/${o.rounds}  ${t.name}: ${Math.round(r.rps)} req/s`)
    }
  }
  return targets.map((t) => median(runs.get(t.name)!))
}

/** The run with the median req/s (its own latencies, not a mix of runs). */
function median(rows: Row[]): Row {
  const sorted = [...rows].sort((a, b) => a.rps - b.rps)
  const m = sorted[Math.floor((sorted.length - 1) / 2)]!
  return { ...m, errors: rows.reduce((n, r) => n + r.errors, 0), non2xx: rows.reduce((n, r) => n + r.non2xx, 0) }
}
