import t from 'tap'
import { openTestStores, storeImage } from './helpers/stores.ts'

t.test('commits append changes with tombstones; an old `since` is too old once the log is trimmed', async (t) => {
  const s = await openTestStores(t, { changeLogKeep: 3 })
  const a = await storeImage(s.blobStore, 'image a')
  const b = await storeImage(s.blobStore, 'image b')
  const r1 = await s.repositoryStore.commit('acme/app', { tags: { '1.0': a.id, latest: a.id }, images: { [a.id]: a } })
  t.equal(r1.revision, 2, 'two tags: two revisions')
  t.ok(s.repositoryStore.holds('acme/app'))
  t.ok(s.repositoryStore.references(a.id))
  const r2 = await s.repositoryStore.commit('acme/app', { tags: { '2.0': b.id, latest: b.id }, images: { [a.id]: a, [b.id]: b } })
  t.equal(r2.revision, 5)
  t.same(Object.keys(r2.images), [b.id], 'images no tag points to are dropped')
  t.notOk(s.repositoryStore.references(a.id))

  const page = await s.repositoryStore.changes(2)
  t.not(page, 'too-old')
  if (page === 'too-old') return
  t.equal(page.revision, 5)
  t.same(
    page.changes.map((c) => [c.rev, c.op, c.tag]),
    [
      [3, 'untag', '1.0'],
      [4, 'tag', '2.0'],
      [5, 'tag', 'latest'],
    ],
  )
  t.equal(page.changes[1]!.image!.id, b.id)
  t.equal(await s.repositoryStore.changes(0), 'too-old', 'the log keeps 3 entries: since=0 is gone')
  t.equal(await s.repositoryStore.changes(99), 'too-old', 'a since ahead of the site is refused too')
  t.same(await s.repositoryStore.unreferenced(), [a.id])

  // The last tag removed: the repository is gone, and its tombstones are in the feed.
  const r3 = await s.repositoryStore.commit('acme/app', { tags: {}, images: {} })
  t.equal(r3.revision, 7)
  t.notOk(s.repositoryStore.holds('acme/app'))
  t.equal(await s.repositoryStore.get('acme/app'), undefined)
  const last = await s.repositoryStore.changes(5, 'acme/app')
  t.same(last !== 'too-old' && last.changes.map((c) => c.op), ['untag', 'untag'])

  // Reopened from disk: the same state.
  await s.close()
  const again = await openTestStores(t, { dir: s.dir, changeLogKeep: 3 })
  t.equal(await again.repositoryStore.revision(), 7)
  t.notOk(again.repositoryStore.holds('acme/app'))
})

t.test('a commit naming a blob that is not stored is refused', async (t) => {
  const s = await openTestStores(t)
  const img = { id: 'c'.repeat(64), size: 1, createdAt: '2026-01-01T00:00:00.000Z' }
  await t.rejects(s.repositoryStore.commit('acme/app', { tags: { latest: img.id }, images: { [img.id]: img } }), { code: 'GW_ERR_CONFLICT' })
  t.equal(await s.repositoryStore.revision(), 0)
})
