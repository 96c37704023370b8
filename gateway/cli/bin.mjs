#!/usr/bin/env node
// Runs the compiled JavaScript that `npm install` builds into dist/ (its `prepare` step, or `npm run build`).
// Tests and benches run the TypeScript sources instead: node --import tsx gateway/cli/main.ts
import { existsSync } from 'node:fs'

const main = new URL('../../dist/gateway/cli/main.js', import.meta.url)
if (!existsSync(main)) {
  process.stderr.write('fedgate: the compiled code (dist/) is missing: run `npm run build` (`npm install` runs it)\n')
  process.exit(2)
}
await import(main.href)
