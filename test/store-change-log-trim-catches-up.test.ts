// Trimming the change log runs after a commit is durable. If it fails (or the process dies first), the
// commit still stands and is reported as done, and the entries it left below the floor are deleted by
// the next trim instead of staying forever.
import t from 'tap'
import { openTestStores, storeImage } from './helpers/stores.ts'

const logKey = (rev: number) => `log/${String(rev).padStart(12, '0')}`

t.test('a failed trim neither fails its commit nor leaves entries behind', async (t) => {
  const s = await openTestStores(t, { changeLogKeep: 2 })
  const a = await storeImage(s.blobStore, 'image a')
  for (const tag of ['1', '2', '3']) await s.repositoryStore.commit('acme/app', (prev) => ({ tags: { ...prev?.tags, [tag]: a.id }, images: { [a.id]: a } }))
  t.equal(await s.index.get(logKey(1)), undefined, 'trimmed as usual: revision 1 is below the floor')

  // The index refuses the next trim's delete once, as a full disk would.
  const realDelete = s.index.delete.bind(s.index)
  s.index.delete = async () => {
    s.index.delete = realDelete
    throw new Error('ENOSPC: no space left on device')
  }
  const r4 = await s.repositoryStore.commit('acme/app', (prev) => ({ tags: { ...prev?.tags, 4: a.id }, images: { [a.id]: a } }))
  t.equal(r4.revision, 4, 'the commit is reported as done')
  t.same(Object.keys((await s.repositoryStore.get('acme/app'))!.tags).sort(), ['1', '2', '3', '4'], 'and it is committed')
  t.not(await s.index.get(logKey(2)), undefined, 'the failed trim left revision 2 below the floor')

  await s.repositoryStore.commit('acme/app', (prev) => ({ tags: { ...prev?.tags, 5: a.id }, images: { [a.id]: a } }))
  for (const rev of [1, 2, 3]) t.equal(await s.index.get(logKey(rev)), undefined, `revision ${rev} is deleted by the next trim`)
  const page = await s.repositoryStore.changes(3)
  t.same(page !== 'too-old' && page.changes.map((c) => c.rev), [4, 5], 'the feed still serves what the log keeps')
})
