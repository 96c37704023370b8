// Prints bench results as a Markdown table (pasteable into docs/benchmarks.md) and the ratios that matter.
import type { LoadResult } from './load.ts'

export interface Row extends LoadResult {
  name: string
  /** CPU µs per request spent by the servers under test (when the load generator runs elsewhere). */
  cpuUs?: number
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

export function ratioTable(ratios: readonly Ratio[]): string {
  const head = ['ratio', 'value', 'target', '']
  const body = ratios.flatMap((r) => {
    const v = r.cpu ? cpuRatio(r.of, r.over, r.cpu.base) : r.of.rps / r.over.rps
    if (v === undefined) return []
    const verdict = r.target === undefined ? '' : v >= r.target ? 'met' : 'missed'
    return [[r.name, `${v.toFixed(2)}×`, r.target === undefined ? '–' : `≥ ${r.target}×`, verdict]]
  })
  return markdown(head, body)
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
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)))
  const line = (cells: string[]) => '| ' + cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ') + ' |'
  const rule = '| ' + widths.map((w, i) => (i === 0 ? '-'.repeat(w) : '-'.repeat(w - 1) + ':')).join(' | ') + ' |'
  return [line(head), rule, ...body.map(line)].join('\n')
}
