// A publish through the hub API stored its bytes and then committed the tag without pinning the blob in
// between, so a collection of the same process running at that moment (store.collect; here the blob is
// made older than the grace while it waits) saw an unreferenced blob and removed it: the publish failed with 409 "not in the blob store",
// its upload lost. Its blob is now pinned from the moment it is stored until its commit is done, as
// every other writer of the store does (store/blob-pins.ts).
import t from 'tap'
import { existsSync, utimesSync } from 'node:fs'
import { fetchText } from './helpers/sites.ts'
import { bearer, publish, startRoot } from './helpers/hub.ts'
import { sha256 } from './helpers/stores.ts'
import type { FileBlobStore } from '../plugins/hub/store/blob-store.ts'
import { waitFor } from './helpers/sync.ts'

t.test('a collection during a publish leaves the blob it is about to commit', async (t) => {
  const root = await startRoot(t, { clock: t.clock, extra: 'store: { collect: { interval: 10m, grace: 10m } }\n' })
  const blobs = root.gw.service<FileBlobStore>('blobStore')!
  const collections = () => (root.gw.health() as { hub: { collect: { runs: number } } }).hub.collect.runs
  const id = sha256('the image')

  // Held where the commit checks its blob is stored: the bytes are in, the tag not yet moved.
  let reached!: () => void
  const atCommit = new Promise<void>((r) => (reached = r))
  let release!: () => void
  const released = new Promise<void>((r) => (release = r))
  const has = blobs.has.bind(blobs)
  blobs.has = async (x: string) => {
    if (x === id) {
      reached()
      await released
    }
    return has(x)
  }

  const put = publish(root, root.publish, 'acme/app', '1.0', 'the image')
  await atCommit
  // Past the grace (file times are the wall clock's): only the pin keeps it now.
  const twoHoursAgo = (Date.now() - 2 * 3_600_000) / 1000
  utimesSync(blobs.path(id), twoHoursAgo, twoHoursAgo)
  t.clock.advance(10 * 60_000)
  await waitFor('a collection', () => collections() >= 1)
  release()

  const r = await put
  t.equal(r.status, 201, `the publish succeeds (${r.text.slice(0, 120)})`)
  t.ok(existsSync(blobs.path(id)), 'its blob is still stored')
  const content = await fetchText(root, '/api/v1/repos/acme/app/images/1.0/content', { headers: bearer(root.read) })
  t.equal(content.status, 200, 'and served')
  t.equal(content.body, 'the image')
})
