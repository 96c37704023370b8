// Dropping a repository (a child no longer synchronizes it) is one commit: it is no longer served, its
// blobs are unreferenced, and the change feed carries a tombstone for each tag, so a middle site's own
// children drop it too. Compare-and-set on the repository's revision: a commit made since wins.
import t from 'tap'
import { openTestStores, storeImage } from './helpers/stores.ts'

t.test('drop removes every tag in one commit, only from the revision it was asked for', async (t) => {
  const s = await openTestStores(t)
  const store = s.repositoryStore
  const a = await storeImage(s.blobStore, 'image a')
  const b = await storeImage(s.blobStore, 'image b')
  const lib = await store.commit('acme/lib', { tags: { '1.0': a.id, latest: a.id }, images: { [a.id]: a }, upstreamRevision: 7 })
  const app = await store.commit('acme/app', { tags: { latest: b.id }, images: { [b.id]: b }, upstreamRevision: 8 })

  t.equal(await store.drop('acme/lib', lib.revision - 1), false, 'a revision it is no longer at: nothing happens')
  t.ok(store.holds('acme/lib'))
  t.equal(await store.drop('acme/none', 0), false, 'nothing to drop')
  t.equal(await store.revision(), app.revision, 'neither moved the site revision')

  t.equal(await store.drop('acme/lib', lib.revision), true)
  t.notOk(store.holds('acme/lib'), 'no longer served')
  t.equal(await store.get('acme/lib'), undefined)
  t.notOk(store.references(a.id), 'its blob is unreferenced')
  t.same(await store.unreferenced(), [a.id], 'and left to the collection')
  t.ok(store.holds('acme/app'), 'other repositories stay')

  const page = await store.changes(app.revision)
  t.not(page, 'too-old')
  if (page === 'too-old') return
  t.same(page.changes.map((c) => [c.repo, c.op, c.tag]), [['acme/lib', 'untag', '1.0'], ['acme/lib', 'untag', 'latest']], 'one tombstone per tag')
  t.equal(await store.drop('acme/lib', lib.revision), false, 'dropping twice does nothing')
  t.equal(await store.revision(), page.revision)

  // Reopened from disk: still dropped.
  await s.close()
  const again = await openTestStores(t, { dir: s.dir })
  t.notOk(again.repositoryStore.holds('acme/lib'))
  t.ok(again.repositoryStore.holds('acme/app'))
})
