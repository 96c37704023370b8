// Prints bench results as a Markdown table (pasteable into docs/benchmarks.md) and the ratios that matter.
import type { LoadResult } from './load.ts'

export interface Row extends LoadResult {
  name: string
}

export function resultTable(rows: readonly Row[]): string {
  const head = ['setup', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'non-2xx']
  const body = rows.map((r) => [r.name, Math.round(r.rps).toLocaleString('en-US'), fmt(r.p50), fmt(r.p99), String(r.errors), String(r.non2xx)])
  return markdown(head, body)
}

export interface Ratio {
  name: string
  of: Row
  over: Row
  /** Passes when of/over is at least this. */
  target?: number
}

export function ratioTable(ratios: readonly Ratio[]): string {
  const head = ['ratio (req/s)', 'value', 'target', '']
  const body = ratios.map((r) => {
    const v = r.of.rps / r.over.rps
    const verdict = r.target === undefined ? '' : v >= r.target ? 'met' : 'missed'
    return [r.name, `${v.toFixed(2)}×`, r.target === undefined ? '–' : `≥ ${r.target}×`, verdict]
  })
  return markdown(head, body)
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
