// Writes a bench's ratios as a horizontal bar chart in SVG (docs/img/bench-<name>.svg), hand-written so
// the README can show each bench's figures next to its table with no dependency: one bar per ratio, a
// dashed line at 1× (the baseline), a tick at the target where there is one, the rounds' range as a
// whisker. Colours pass WCAG contrast on white; the text says everything the colours do.
import { mkdirSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export interface Bar {
  label: string
  /** The ratio (1 = the baseline). */
  value: number
  /** Range of the per-round ratios, when there were rounds. */
  low?: number
  high?: number
  /** Passes at or above this. */
  target?: number
}

const BAR_H = 18
const GAP = 8
const TOP = 48
const PLOT_W = 330
/** Roughly the width of a character of the 12 px labels: the label column fits the longest. */
const CHAR_W = 6.8

export function barChart(title: string, subtitle: string, bars: readonly Bar[]): string {
  const LABEL_W = Math.max(160, Math.ceil(Math.max(...bars.map((b) => b.label.length)) * CHAR_W) + 16)
  const W = Math.max(LABEL_W + PLOT_W + 110, 720)
  const max = Math.max(1.2, ...bars.map((b) => Math.max(b.value, b.high ?? 0, b.target ?? 0))) * 1.05
  const x = (v: number) => LABEL_W + (Math.min(v, max) / max) * PLOT_W
  const h = TOP + bars.length * (BAR_H + GAP) + 44
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${h}" viewBox="0 0 ${W} ${h}" role="img" aria-labelledby="t d" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="12">`,
    `<title id="t">${esc(title)}</title>`,
    `<desc id="d">${esc(bars.map((b) => `${b.label}: ${b.value.toFixed(2)}×${b.target !== undefined ? ` (target ≥ ${b.target}×, ${b.value >= b.target ? 'met' : 'missed'})` : ''}`).join('; '))}</desc>`,
    `<rect width="${W}" height="${h}" fill="#ffffff"/>`,
    `<text x="8" y="20" font-size="15" font-weight="600" fill="#111111">${esc(title)}</text>`,
    `<text x="8" y="38" fill="#444444">${esc(subtitle)}</text>`,
  ]
  bars.forEach((b, i) => {
    const y = TOP + i * (BAR_H + GAP)
    const met = b.target === undefined ? undefined : b.value >= b.target
    const fill = met === undefined ? '#4a6fa5' : met ? '#2e7d32' : '#c62828'
    out.push(`<text x="${LABEL_W - 8}" y="${y + 13}" text-anchor="end" fill="#111111">${esc(b.label)}</text>`)
    out.push(`<rect x="${LABEL_W}" y="${y}" width="${(x(b.value) - LABEL_W).toFixed(1)}" height="${BAR_H}" fill="${fill}"/>`)
    if (b.low !== undefined && b.high !== undefined) {
      const cy = y + BAR_H / 2
      out.push(`<path d="M${x(b.low).toFixed(1)} ${cy}H${x(b.high).toFixed(1)}M${x(b.low).toFixed(1)} ${cy - 4}v8M${x(b.high).toFixed(1)} ${cy - 4}v8" stroke="#111111" stroke-width="1.2" fill="none"/>`)
    }
    if (b.target !== undefined) out.push(`<path d="M${x(b.target).toFixed(1)} ${y - 2}v${BAR_H + 4}" stroke="#111111" stroke-width="2.5"/>`)
    const verdict = met === undefined ? '' : met ? ' met' : ' missed'
    // Right of the bar, its whisker and its target tick (a missed target's tick lies past the bar).
    out.push(`<text x="${(Math.max(x(b.value), x(b.high ?? 0), x(b.target ?? 0) + 2) + 6).toFixed(1)}" y="${y + 13}" fill="#111111">${b.value.toFixed(2)}×${verdict}</text>`)
  })
  const axisY = TOP + bars.length * (BAR_H + GAP)
  out.push(`<path d="M${x(1).toFixed(1)} ${TOP - 4}V${axisY}" stroke="#555555" stroke-dasharray="4 3"/>`)
  out.push(`<text x="${x(1).toFixed(1)}" y="${axisY + 16}" text-anchor="middle" fill="#444444">1× (baseline)</text>`)
  const whiskers = bars.some((b) => b.low !== undefined)
  const legend = `${whiskers ? 'bar: median of the per-round ratios · whisker: their range' : 'bar: the ratio'} · thick tick: target (green met, red missed, blue no target)`
  out.push(`<text x="8" y="${axisY + 34}" fill="#444444">${legend}</text>`)
  out.push('</svg>')
  return out.join('\n') + '\n'
}

/** Writes docs/img/bench-<name>.svg and says where. */
export function writeChart(name: string, svg: string): string {
  const dir = fileURLToPath(new URL('../../docs/img/', import.meta.url))
  mkdirSync(dir, { recursive: true })
  const file = `${dir}bench-${name}.svg`
  writeFileSync(file, svg)
  console.log(`chart: docs/img/bench-${name}.svg`)
  return file
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}
