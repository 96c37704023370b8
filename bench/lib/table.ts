// Prints bench results as a Markdown table (pasteable into docs/benchmarks.md) and the ratios that matter,
// and draws those ratios as the bench's chart (docs/img/bench-<name>.svg).
import type { LoadResult } from './load.ts'
import { barChart, writeChart, type Bar } from './chart.ts'

export interface Row extends LoadResult {
  name: string
  /** CPU µs per request spent by the servers under test (when the load generator runs elsewhere). */
  cpuUs?: number
  /** req/s of each interleaved round, in round order (measureInterleaved). */
  roundRps?: number[]
}

export function resultTable(rows: readonly Row[]): string {
  const head = ['setup', 'req/s', 'p50 ms', 'p99 ms', 'server CPU µs/req', 'errors', 'non-2xx']
  const body = rows.map((r) => [r.name, Math.round(r.rps).toLocaleString('en-US'), fmt(r.p50), fmt(r.p99), r.cpuUs === undefined ? '–' : r.cpuUs.toFixed(1), String(r.errors), String(r.non2xx)])
  return markdown(head, body)
}

export interface Ratio {
  name: string
  of: Row
  over: Row
  /** Passes when of/over is at least this. */
  target?: number
  /** Compare CPU per request (lower is better, so over/of), the origin's share `base` removed. */
  cpu?: { base: Row }
}

/**
 * req/s ratios are paired by round: rows measured one after the other in a round share that moment's
 * outside load, so the value is the median of the per-round ratios (their range beside it).
 */
export function ratioTable(ratios: readonly Ratio[]): string {
  const head = ['ratio', 'value', 'rounds', 'target', '']
  const body = ratioBars(ratios).map((b) => {
    const verdict = b.target === undefined ? '' : b.value >= b.target ? 'met' : 'missed'
    const range = b.low !== undefined ? `${b.low.toFixed(2)}–${b.high!.toFixed(2)}` : '–'
    return [b.label, `${b.value.toFixed(2)}×`, range, b.target === undefined ? '–' : `≥ ${b.target}×`, verdict]
  })
  return markdown(head, body)
}

/** Each ratio's value (median of the per-round ratios when there are rounds), range and target. */
export function ratioBars(ratios: readonly Ratio[]): Bar[] {
  return ratios.flatMap((r) => {
    const paired = r.cpu ? undefined : pairedRatios(r.of, r.over)
    const value = r.cpu ? cpuRatio(r.of, r.over, r.cpu.base) : paired ? paired[Math.floor((paired.length - 1) / 2)]! : r.of.rps / r.over.rps
    if (value === undefined) return []
    const range = paired && paired.length > 1 ? { low: paired[0]!, high: paired[paired.length - 1]! } : {}
    return [{ label: r.name, value, target: r.target, ...range }]
  })
}

/** The ratio table printed, and drawn as docs/img/bench-<bench>.svg. */
export function reportRatios(bench: string, title: string, subtitle: string, ratios: readonly Ratio[]): void {
  console.log(ratioTable(ratios) + '\n')
  writeChart(bench, barChart(title, subtitle, ratioBars(ratios)))
}

/** of/over for each round both were measured in, sorted; undefined without per-round figures. */
function pairedRatios(of: Row, over: Row): number[] | undefined {
  if (!of.roundRps || !over.roundRps || of.roundRps.length !== over.roundRps.length) return undefined
  return of.roundRps.map((rps, i) => rps / over.roundRps![i]!).sort((a, b) => a - b)
}

/** How many times less CPU `of` spends per request than `over`, beyond what `base` spends. */
function cpuRatio(of: Row, over: Row, base: Row): number | undefined {
  if (of.cpuUs === undefined || over.cpuUs === undefined || base.cpuUs === undefined) return undefined
  return (over.cpuUs - base.cpuUs) / (of.cpuUs - base.cpuUs)
}

function fmt(ms: number): string {
  return ms < 10 ? ms.toFixed(2) : ms.toFixed(1)
}

export function markdown(head: string[], body: string[][]): string {
  // At least 1: a column empty in every row (no ratio with a target) still needs its ':' rule.
  const widths = head.map((h, i) => Math.max(1, h.length, ...body.map((r) => r[i]!.length)))
  const line = (cells: string[]) => '| ' + cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ') + ' |'
  const rule = '| ' + widths.map((w, i) => (i === 0 ? '-'.repeat(w) : '-'.repeat(w - 1) + ':')).join(' | ') + ' |'
  return [line(head), rule, ...body.map(line)].join('\n')
}
