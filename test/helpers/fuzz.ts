// Property-based runs for the fuzz tests: a fixed seed, so every run tries the same inputs and a failure
// replays (FEDGATE_FUZZ_SEED=<n> tries others), a bounded number of runs, and fast-check's report (seed,
// path, shrunk counterexample) in the failure's message.
import fc from 'fast-check'

export const FUZZ_SEED = Number(process.env.FEDGATE_FUZZ_SEED ?? 20_210_521)

interface Asserts {
  pass(message: string): void
  fail(message: string): void
}

/** Checks `property` over `numRuns` inputs: one passing assertion, or one failure naming the counterexample. */
export async function holds<Ts extends [unknown, ...unknown[]]>(
  t: Asserts,
  name: string,
  property: fc.IProperty<Ts> | fc.IAsyncProperty<Ts>,
  numRuns: number,
): Promise<void> {
  const details = await fc.check(property as fc.IAsyncProperty<Ts>, { seed: FUZZ_SEED, numRuns })
  if (details.failed) t.fail(`${name}\n${fc.defaultReportMessage(details)}\n(replay: FEDGATE_FUZZ_SEED=${FUZZ_SEED})`)
  else t.pass(`${name}: ${numRuns} inputs (seed ${FUZZ_SEED})`)
}

/** Joins pieces drawn mostly from `interesting`, sometimes from any string, into one string. */
export function biased(interesting: readonly string[], maxPieces = 12): fc.Arbitrary<string> {
  const piece = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...interesting) },
    { weight: 1, arbitrary: fc.string({ maxLength: 3 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 2 }) },
  )
  return fc.array(piece, { maxLength: maxPieces }).map((a) => a.join(''))
}
