// The options every bench takes: `npm run bench -- <name> [--duration s] [--connections n] [--warmup s] [--rounds n] [--inline]`.
import { parseArgs } from 'node:util'
import type { LoadPlacement } from './load.ts'

export interface BenchOptions {
  /** Measured seconds per row. */
  duration: number
  connections: number
  /** Unmeasured seconds before each row's first run. */
  warmup: number
  /** Runs per row, interleaved; the median is reported. */
  rounds: number
  /** Where autocannon runs: its own process (default) or inside the bench process. */
  placement: LoadPlacement
}

export function parseBenchArgs(args: string[]): { name?: string; options: BenchOptions } {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      duration: { type: 'string', default: '5' },
      connections: { type: 'string', default: '50' },
      warmup: { type: 'string', default: '2' },
      rounds: { type: 'string', default: '3' },
      inline: { type: 'boolean', default: false },
    },
  })
  return {
    name: positionals[0],
    options: {
      duration: bounded('duration', values.duration!, 1, 300),
      connections: bounded('connections', values.connections!, 1, 1000),
      warmup: bounded('warmup', values.warmup!, 0, 60),
      rounds: Math.round(bounded('rounds', values.rounds!, 1, 10)),
      placement: values.inline ? 'inline' : 'process',
    },
  }
}

function bounded(name: string, v: string, min: number, max: number): number {
  const n = Number(v)
  if (!Number.isFinite(n) || n < min || n > max) throw new Error(`--${name} must be a number from ${min} to ${max}, got ${v}`)
  return n
}
