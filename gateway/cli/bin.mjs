#!/usr/bin/env node
// Runs the compiled JavaScript that `npm install` builds into dist/ (its `prepare` step, or `npm run build`).
// Tests and benches run the TypeScript sources instead: node --import tsx gateway/cli/main.ts
import { existsSync } from 'node:fs'
import { setFlagsFromString } from 'node:v8'

// While the program loads nearly everything it allocates survives, so V8 grows its young generation to
// 16 MiB semi-spaces and keeps them: ≈ 10 MiB of an idle site's RSS. A growth factor of 1 keeps them at
// their first size, as `node --max-semi-space-size=1` would (that flag is read only when the heap is
// made; this one is read at each scavenge). The hit bench shows no cost (docs/benchmarks.md, startup).
// A node flag of the user's own about the young generation wins.
if (!process.execArgv.some((a) => /^--(max|min)-semi-space-size|^--semi-space-growth-factor/.test(a))) setFlagsFromString('--semi-space-growth-factor=1')

const main = new URL('../../dist/gateway/cli/main.js', import.meta.url)
if (!existsSync(main)) {
  process.stderr.write('fedgate: the compiled code (dist/) is missing: run `npm run build` (`npm install` runs it)\n')
  process.exit(2)
}
await import(main.href)
