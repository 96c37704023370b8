// A link reads a site's change log a page at a time and fetches the images each page's last changes name,
// though a later page may already have replaced them: a blob the log still names may be asked for. So
// the root's collection keeps an unreferenced blob while the log names it, and removes it once trimming
// (store.changeLogKeep) took those entries out.
import t from 'tap'
import { existsSync, utimesSync } from 'node:fs'
import { publish, startRoot } from './helpers/hub.ts'
import { sha256 } from './helpers/stores.ts'
import type { FileBlobStore } from '../plugins/hub/store/blob-store.ts'
import { waitFor } from './helpers/sync.ts'

t.test('an unreferenced blob is kept while the change log names it', async (t) => {
  const root = await startRoot(t, { clock: t.clock, extra: 'store: { changeLogKeep: 4, collect: { interval: 10m, grace: 10m } }\n' })
  const blobs = root.gw.service<FileBlobStore>('blobStore')!
  const collections = () => (root.gw.health() as { hub: { collect: { runs: number } } }).hub.collect.runs
  const on = (bytes: string) => existsSync(blobs.path(sha256(bytes)))
  const ok = async (tag: string, bytes: string) => t.equal((await publish(root, root.publish, 'acme/app', `${tag}?latest=false`, bytes)).status, 201, `${tag}: ${bytes}`)
  const collect = async (n: number) => {
    t.clock.advance(10 * 60_000)
    await waitFor(`collection ${n}`, () => collections() >= n)
  }
  await ok('1.0', 'first')
  await ok('1.0', 'second') // 'first' has no tag now, but the log still names it
  await ok('2.0', 'other')
  // Past the grace (file times are the wall clock's).
  const twoHoursAgo = (Date.now() - 2 * 3_600_000) / 1000
  for (const b of ['first', 'second', 'other']) utimesSync(blobs.path(sha256(b)), twoHoursAgo, twoHoursAgo)
  await collect(1)
  t.ok(on('first'), 'kept while the log names it')
  for (const n of [3, 4, 5]) await ok(`${n}.0`, `pad ${n}`)
  await collect(2)
  t.notOk(on('first'), 'removed once trimming took its entry out')
  t.ok(on('second') && on('other'), 'the referenced ones stay')
})
