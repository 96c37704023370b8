#!/usr/bin/env node
// Runs the compiled JavaScript that `npm install` builds into dist/ (its `prepare` step, or `npm run build`).
// Tests and benches run the TypeScript sources instead: node --import tsx gateway/cli/main.ts
import { existsSync } from 'node:fs'
import { setFlagsFromString } from 'node:v8'
import { PerformanceObserver, constants } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { loadCompiled } from './load-compiled.mjs'

/** V8's default (src/flags/flag-definitions.h, semi_space_growth_factor). */
const V8_GROWTH_FACTOR = 2
/** Minor collections within a second that say the site is under load (≈ 50 MiB/s allocated at 1 MiB semi-spaces). */
const BUSY_SCAVENGES = 50

// While the program loads nearly everything it allocates survives, so V8 grows its young generation to
// 16 MiB semi-spaces and keeps them: ≈ 10 MiB of an idle site's RSS. A growth factor of 1 keeps them at
// their first size (1 MiB; `node --max-semi-space-size=1` would for ever: that flag is read only when the
// heap is made, this one at each scavenge). Kept at 1 under load, it cost a fifth of the forward path's
// throughput (a scavenge per MiB allocated; docs/benchmarks.md, startup). So once the site serves
// ('fedgate:started', from `fedgate start`), the first second with BUSY_SCAVENGES minor collections gives
// V8 its own factor back: an idle site stays small, and under load the young generation grows as it
// always would. A node flag of the user's own about the young generation wins.
if (!process.execArgv.some((a) => /^--(max|min)-semi-space-size|^--semi-space-growth-factor/.test(a))) {
  setFlagsFromString('--semi-space-growth-factor=1')
  process.once('fedgate:started', growWhenBusy)
}

// undici parses HTTP with llhttp compiled to WebAssembly. After a few dozen answers (root probes, a
// sync) V8 recompiles its parser with TurboFan on a background thread; the compiler's ≈ 10 MiB of scratch
// memory stays in that thread's malloc arena, freed but never given back (glibc returns it only on
// malloc_trim, which JavaScript cannot call). Kept on the baseline compiler (Liftoff), an idle site stays
// ≈ 10 MiB smaller for its whole life; forwarding costs ≈ 1 µs more CPU per request (docs/benchmarks.md,
// startup). The flag cannot be lifted once busy: a module compiled under it never tiers up. A node flag
// of the user's own about WebAssembly tiering wins (`node --no-liftoff-only …/fedgate start`).
if (!process.execArgv.some((a) => /^--(no-)?liftoff|^--(no-)?wasm-(dynamic-)?tier/.test(a))) setFlagsFromString('--liftoff-only')

/** Keeps V8's code cache for the bundle now, if it is to be kept (load-compiled.mjs). */
let keepCodeCache = () => {}

function growWhenBusy() {
  let windowStart = 0
  let count = 0
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if (e.detail?.kind !== constants.NODE_PERFORMANCE_GC_MINOR) continue
      if (e.startTime - windowStart >= 1000) {
        windowStart = e.startTime
        count = 0
      }
      if (++count < BUSY_SCAVENGES) continue
      // The code cache is stamped with V8's flags: kept before this one changes, or every start refuses it.
      keepCodeCache()
      setFlagsFromString(`--semi-space-growth-factor=${V8_GROWTH_FACTOR}`)
      observer.disconnect()
      return
    }
  })
  observer.observe({ entryTypes: ['gc'] })
}

// A site reloads its certificates on SIGHUP once it runs; until then (the bundle loading, stores opening)
// the signal's default action would end it, a certbot hook or a primary passing it on killing a starting
// site. Ignored until then: the site reads the current certificates as it starts anyway.
if (process.argv[2] === 'start' || process.argv[2] === 'demo') process.on('SIGHUP', () => {})

const main = fileURLToPath(new URL('../../dist/gateway/cli/main.cjs', import.meta.url))
if (!existsSync(main)) {
  process.stderr.write('fedgate: the compiled code (dist/) is missing: run `npm run build` (`npm install` runs it)\n')
  process.exit(2)
}
keepCodeCache = loadCompiled(main, 'fedgate:started')
