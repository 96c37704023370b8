// A writer pins a blob in its own process only; every other process that collects (a root's workers, the
// nodes on one index) keeps an unreferenced blob only while it is younger than store.collect.grace. A
// publish whose bytes were stored already, long ago and unreferenced since, kept the blob's old age: in
// the time before its commit, another process's collection could remove the blob it was committing. A
// writer that finds its blob stored now renews its age, as if it had written it.
import t from 'tap'
import { existsSync, utimesSync } from 'node:fs'
import { fetchText } from './helpers/sites.ts'
import { bearer, publish, startRoot } from './helpers/hub.ts'
import { sha256 } from './helpers/stores.ts'
import type { FileBlobStore } from '../plugins/hub/store/blob-store.ts'
import { waitFor } from './helpers/sync.ts'

t.test('publishing bytes stored long ago renews their grace', async (t) => {
  const root = await startRoot(t, { clock: t.clock, extra: 'store: { changeLogKeep: 3, collect: { interval: 10m, grace: 1h } }\n' })
  const blobs = root.gw.service<FileBlobStore>('blobStore')!
  const collections = () => (root.gw.health() as { hub: { collect: { runs: number } } }).hub.collect.runs
  const put = async (repo: string, bytes: string) => t.equal((await publish(root, root.publish, repo, '1.0?latest=false', bytes)).status, 201, `${repo} published`)
  const untag = async (repo: string) => t.equal((await fetchText(root, `/api/v1/repos/${repo}/tags/1.0`, { method: 'DELETE', headers: bearer(root.publish) })).status, 204, `${repo} untagged`)
  const age = (bytes: string, hours: number) => {
    const then = new Date(Date.now() - hours * 3_600_000)
    utimesSync(blobs.path(sha256(bytes)), then, then)
  }
  // Two blobs stored, unreferenced, and two hours old: past the grace.
  for (const [repo, bytes] of [['acme/a', 'published again'], ['acme/z', 'left alone']]) {
    await put(repo!, bytes!)
    await untag(repo!)
    age(bytes!, 2)
  }
  // The first one's bytes are published again (found stored, not written), then untagged again.
  await put('acme/b', 'published again')
  await untag('acme/b')
  for (const n of [1, 2, 3]) await put(`acme/pad${n}`, `pad ${n}`) // the change log no longer names them

  t.clock.advance(10 * 60_000)
  await waitFor('a collection', () => collections() >= 1)
  t.notOk(existsSync(blobs.path(sha256('left alone'))), 'the old unreferenced blob is collected')
  t.ok(existsSync(blobs.path(sha256('published again'))), 'the one a publish found just now is within the grace')
})
