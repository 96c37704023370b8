// A `fedgate publish` killed mid-upload leaves its temp file in the store's tmp/ folder; it was removed
// only when the site next started (134 MB stayed while a root kept running). A root's collection, every
// store.collect.interval, now sweeps the files of writers that no longer run, and leaves a running
// writer's (its own, or another live process's) alone.
import t from 'tap'
import { spawnSync } from 'node:child_process'
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { startRoot } from './helpers/hub.ts'
import type { FileBlobStore } from '../plugins/hub/store/blob-store.ts'
import { waitFor } from './helpers/sync.ts'

t.test('a running root sweeps what dead writers left in tmp/', async (t) => {
  const root = await startRoot(t, { clock: t.clock, extra: 'store: { collect: { interval: 10m, grace: 1h } }\n' })
  const blobs = root.gw.service<FileBlobStore>('blobStore')!
  const collections = () => (root.gw.health() as { hub: { collect: { runs: number } } }).hub.collect.runs
  // A process that has ended: its pid names a dead writer.
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout
  const file = (pid: number | string) => join(blobs.dir, 'tmp', `${pid}-${Date.now()}-0123456789abcdef`)
  const left = file(dead)
  const mine = file(process.pid) // this process writes: a publish in progress
  const parent = file(process.ppid) // another live process
  for (const f of [left, mine, parent]) writeFileSync(f, 'half an upload')

  t.clock.advance(10 * 60_000)
  await waitFor('a collection', () => collections() >= 1)
  t.notOk(existsSync(left), 'the dead writer\'s file is removed')
  t.ok(existsSync(mine), 'a file of the running site\'s own is kept')
  t.ok(existsSync(parent), 'and one of another live process')
})
