// A value set aside for an owner's (docs/federation.md, "Ownership learnt late") is never collected; once
// an operator dismisses it, its blob is an ordinary orphan whose grace (store.collect.grace) counts from
// the dismissal, not from when its bytes were stored: kept within the grace, removed after, and kept for
// as long as something else still references it (here the other tag set aside with the same image).
import t from 'tap'
import { existsSync, utimesSync } from 'node:fs'
import { adminKeyOf, bearer } from './helpers/hub.ts'
import { ownershipConflictAtTokyo } from './helpers/links.ts'
import { fetchText, tempDir } from './helpers/sites.ts'
import { sha256 } from './helpers/stores.ts'
import { waitFor } from './helpers/sync.ts'
import type { FileBlobStore } from '../plugins/hub/store/blob-store.ts'

t.test('a dismissed conflict\'s blob is collected a grace after its dismissal, not before', async (t) => {
  const dir = tempDir(t)
  // changeLogKeep 3: the log soon names none of tokyo's own changes, which would keep the blob at a root.
  const { tokyo } = await ownershipConflictAtTokyo(t, { dir, clock: t.clock, store: 'changeLogKeep: 3, collect: { interval: 10m, grace: 20m }' })
  const blobs = tokyo.gw.service<FileBlobStore>('blobStore')!
  const file = blobs.path(sha256('tokyo one'))
  // Stored long ago (file times are the wall clock's): only the dismissal can keep it now.
  const twoHoursAgo = (Date.now() - 2 * 3_600_000) / 1000
  utimesSync(file, twoHoursAgo, twoHoursAgo)
  const runs = () => (tokyo.gw.health() as { hub: { collect: { runs: number } } }).hub.collect.runs
  const collectAfter = async (ms: number) => {
    const n = runs()
    t.clock.advance(ms)
    await waitFor('a collection', () => runs() > n)
  }
  const dismiss = async (tag: string) => {
    const res = await fetchText(tokyo, '/api/v1/federation/links/dismiss-conflict', { method: 'POST', headers: { ...bearer(await adminKeyOf(tokyo)), 'content-type': 'application/json' }, body: JSON.stringify({ repo: 'london/app', tag }) })
    t.equal(res.status, 200, `london/app:${tag} dismissed`)
  }

  await collectAfter(10 * 60_000)
  t.ok(existsSync(file), 'set aside: kept, though older than the grace')
  await dismiss('1.0')
  await collectAfter(10 * 60_000)
  await collectAfter(10 * 60_000)
  t.ok(existsSync(file), 'a grace after dismissing 1.0: kept, latest still holds the same image aside')
  await dismiss('latest')
  await collectAfter(10 * 60_000)
  t.ok(existsSync(file), 'half a grace after dismissing latest: kept')
  await collectAfter(10 * 60_000)
  t.notOk(existsSync(file), 'a grace after: removed')
  t.ok(existsSync(blobs.path(sha256('london one'))), 'the owner\'s value, served, stays')
})
