// A root's overwritten and deleted tags kept their bytes on disk for good: nothing collected there (a
// child's sync collects after each commit). Every store.collect.interval the root now removes blobs no
// snapshot references, once they are older than store.collect.grace (a publish in another process may
// be about to commit a fresh one) and once the change log no longer names them (store.changeLogKeep: 3
// here, so it names only the last three changes); referenced blobs, in any repository, stay.
import t from 'tap'
import { existsSync, utimesSync } from 'node:fs'
import { fetchText } from './helpers/sites.ts'
import { bearer, publish, startRoot } from './helpers/hub.ts'
import { sha256 } from './helpers/stores.ts'
import type { FileBlobStore } from '../plugins/hub/store/blob-store.ts'
import { waitFor } from './helpers/sync.ts'

t.test('the root collects unreferenced blobs past the grace, and keeps the rest', async (t) => {
  const root = await startRoot(t, { clock: t.clock, extra: 'store: { changeLogKeep: 3, collect: { interval: 10m, grace: 10m } }\n' })
  const blobs = root.gw.service<FileBlobStore>('blobStore')!
  const collections = () => (root.gw.health() as { hub: { collect: { runs: number } } }).hub.collect.runs
  // ?latest=false: the only tag is the one named, so deleting it leaves the image unreferenced.
  const ok = async (repo: string, tag: string, bytes: string) => t.equal((await publish(root, root.publish, repo, `${tag}?latest=false`, bytes)).status, 201, `${repo}:${tag} published`)
  await ok('acme/app', '1.0', 'overwritten')
  await ok('acme/app', '1.0', 'current') // the first bytes lose their only tag
  await ok('acme/lib', '1.0', 'deleted')
  t.equal((await fetchText(root, '/api/v1/repos/acme/lib/tags/1.0', { method: 'DELETE', headers: bearer(root.publish) })).status, 204, 'acme/lib:1.0 deleted')
  await ok('acme/one', '1.0', 'shared')
  await ok('acme/two', '1.0', 'shared')
  t.equal((await fetchText(root, '/api/v1/repos/acme/two/tags/1.0', { method: 'DELETE', headers: bearer(root.publish) })).status, 204, 'one of two references gone')
  // Past the grace for those (file times are the wall clock's); then one more unreferenced, too fresh to go.
  const twoHoursAgo = (Date.now() - 2 * 3_600_000) / 1000
  for (const b of ['overwritten', 'current', 'deleted', 'shared']) utimesSync(blobs.path(sha256(b)), twoHoursAgo, twoHoursAgo)
  await ok('acme/fresh', '1.0', 'fresh')
  t.equal((await fetchText(root, '/api/v1/repos/acme/fresh/tags/1.0', { method: 'DELETE', headers: bearer(root.publish) })).status, 204)
  // Three more changes: the log no longer names any blob above.
  for (const n of [1, 2, 3]) await ok('acme/pad', `${n}.0`, `pad ${n}`)

  const on = (bytes: string) => existsSync(blobs.path(sha256(bytes)))
  t.ok(['overwritten', 'deleted', 'fresh'].every(on), 'before the interval, every blob is on disk')
  t.clock.advance(10 * 60_000)
  await waitFor('a collection', () => collections() >= 1)
  t.same(
    Object.fromEntries(['overwritten', 'deleted', 'current', 'shared', 'fresh'].map((b) => [b, on(b)])),
    { overwritten: false, deleted: false, current: true, shared: true, fresh: true },
    'unreferenced past the grace: removed; referenced or fresh: kept',
  )
  const gone = await fetchText(root, `/api/v1/blobs/sha256:${sha256('overwritten')}`, { headers: bearer(root.read) })
  t.equal(gone.status, 404, 'a removed blob is not served')
  const kept = await fetchText(root, '/api/v1/repos/acme/app/images/1.0/content', { headers: bearer(root.read) })
  t.equal(kept.body, 'current', 'the current image is served whole')
})
