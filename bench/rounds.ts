// Sync rounds over many quiet repositories: a root with N repositories (default 10,000; FEDGATE_BENCH_REPOS),
// a child synchronizing them all (`ns/*`, change stream off), then, once they are in sync, rounds timed in
// the same run two ways: the scheduler's round (one read of the whole change feed settles the quiet ones)
// and the baseline of one sync per repository (each asks the feed for itself, as every round did before).
// Prints each round's time and requests to the root, and their ratios. Bounded: --rounds each way (1–10).
import type { BenchOptions } from './lib/options.ts'
import { markdown } from './lib/table.ts'
import { tempDir } from '../test/helpers/sites.ts'
import { startRoot, startChild, publish, inSync, syncOf, blobBytes, loggedPaths } from '../test/helpers/sync.ts'

const REPOS = Number(process.env.FEDGATE_BENCH_REPOS ?? 10_000)

export async function run(o: BenchOptions): Promise<void> {
  const downs: (() => unknown)[] = []
  const t = { teardown: (fn: () => unknown) => void downs.unshift(fn) }
  try {
    const dir = tempDir(t, 'fedgate-bench-')
    const root = await startRoot(t, dir)
    const bytes = blobBytes(1_000, 1)
    console.log(`publishing ${REPOS.toLocaleString('en-US')} repositories (one shared 1 KB image)…`)
    for (let i = 0; i < REPOS; i++) await publish(root, `ns/r${i}:1`, bytes)
    const child = await startChild(t, dir, 'branch', root.url, root.readKey, `repositories: ['ns/*']\nsync: { stream: { enabled: false }, interval: 1h }\n`)
    for (let i = 0; i < REPOS; i++) await inSync(child, `ns/r${i}`, 600_000)
    const s = syncOf(child)
    const rootPaths = loggedPaths(root)
    const rootRequests = async () => (await rootPaths()).length
    const timed = async (round: () => Promise<unknown>) => {
      const before = await rootRequests()
      const t0 = performance.now()
      await round()
      const ms = performance.now() - t0
      return { ms, requests: (await rootRequests()) - before }
    }
    const rows: string[][] = []
    const ours: { ms: number; requests: number }[] = []
    const each: { ms: number; requests: number }[] = []
    for (let r = 1; r <= o.rounds; r++) {
      const a = await timed(() => s.scheduler.syncAll())
      const b = await timed(async () => Promise.all((await s.scheduler.selected()).map((n) => s.scheduler.request(n))))
      ours.push(a)
      each.push(b)
      rows.push([`round ${r}: one read of the whole feed (the scheduler's round)`, a.ms.toFixed(0), String(a.requests)], [`round ${r}: one sync per repository (baseline)`, b.ms.toFixed(0), String(b.requests)])
    }
    const med = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!
    const failing = [...Array(REPOS).keys()].filter((i) => s.status.get(`ns/r${i}`).state !== 'in-sync').length
    console.log(`\nrounds bench: ${REPOS.toLocaleString('en-US')} quiet repositories, rounds alternated, ${new Date().toISOString().slice(0, 10)}\n`)
    console.log(markdown(['round', 'ms', 'requests to the root'], rows))
    console.log('\n' + markdown(['ratio (medians)', 'value'], [
      ['time: baseline / the scheduler\'s round', `${(med(each.map((x) => x.ms)) / med(ours.map((x) => x.ms))).toFixed(1)}×`],
      ['requests: baseline / the scheduler\'s round', `${(med(each.map((x) => x.requests)) / med(ours.map((x) => x.requests))).toFixed(0)}×`],
    ]))
    console.log(`\nrepositories not in sync at the end: ${failing}`)
  } finally {
    for (const d of downs) await d()
  }
}
