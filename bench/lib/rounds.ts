// Measures several targets in interleaved rounds and keeps each one's median run: on a shared machine
// a burst of outside load then hits every row alike instead of sinking one of them.
import { measure, type LoadOptions, type LoadPlacement } from './load.ts'
import type { Row } from './table.ts'

export interface Target {
  name: string
  load: LoadOptions
  /** CPU µs used so far by servers in other processes (nginx), added to this process's own. */
  cpuUs?: () => number
  /**
   * Targets of one group (in list order, compared with each other) run back to back, and each round
   * starts the group one row later: the first row after another group's runs pays for that switch
   * (garbage, code re-optimized for other answers), and it must not always be the same row.
   */
  group?: string
}

export async function measureInterleaved(targets: readonly Target[], o: { rounds: number; warmup: number; placement: LoadPlacement }): Promise<Row[]> {
  const runs = new Map<string, Row[]>(targets.map((t) => [t.name, []]))
  const groups = new Map<string, Target[]>()
  for (const t of targets) {
    const key = t.group ?? `\0${t.name}`
    groups.set(key, [...(groups.get(key) ?? []), t])
  }
  for (let round = 0; round < o.rounds; round++) {
    const order = [...groups.values()].flatMap((g) => [...g.slice(round % g.length), ...g.slice(0, round % g.length)])
    for (const t of order) {
      // Servers stay up between rounds, so only the first round needs a warm-up.
      if (round === 0 && o.warmup) await measure({ ...t.load, duration: o.warmup }, o.placement)
      // The servers under test all live in this process and only this target is loaded, so this
      // process's CPU time per request is the target's cost, whichever core the scheduler gave it.
      const cpu0 = process.cpuUsage()
      const ext0 = t.cpuUs?.() ?? 0
      const load = await measure(t.load, o.placement)
      const cpu = process.cpuUsage(cpu0)
      const ext = (t.cpuUs?.() ?? 0) - ext0
      const cpuUs = o.placement === 'process' && load.requests ? (cpu.user + cpu.system + ext) / load.requests : undefined
      const r: Row = { name: t.name, ...load, cpuUs }
      runs.get(t.name)!.push(r)
      console.log(`  round ${round + 1}/${o.rounds}  ${t.name}: ${Math.round(r.rps)} req/s${cpuUs ? `, ${cpuUs.toFixed(1)} µs CPU/req` : ''}`)
    }
  }
  return targets.map((t) => median(runs.get(t.name)!))
}

/** The run with the median req/s (its own latencies, not a mix of runs); CPU per request is its own median; every round's req/s kept for paired ratios. */
function median(rows: Row[]): Row {
  const mid = <T>(xs: T[]) => xs[Math.floor((xs.length - 1) / 2)]!
  const m = mid([...rows].sort((a, b) => a.rps - b.rps))
  const cpus = rows.flatMap((r) => (r.cpuUs === undefined ? [] : [r.cpuUs])).sort((a, b) => a - b)
  return { ...m, cpuUs: cpus.length ? mid(cpus) : undefined, roundRps: rows.map((r) => r.rps), errors: rows.reduce((n, r) => n + r.errors, 0), non2xx: rows.reduce((n, r) => n + r.non2xx, 0) }
}
