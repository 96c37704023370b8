// A change-feed read that races a trim (another node's commit on the same Redis, or `fedgate publish`)
// must not answer a page that silently lacks the trimmed entries: it answers "too old", so the caller
// fetches the repository whole.
import t from 'tap'
import { openTestStores, storeImage } from './helpers/stores.ts'

t.test('entries trimmed between the floor check and the read make the page too old', async (t) => {
  const s = await openTestStores(t, { changeLogKeep: 2 })
  const a = await storeImage(s.blobStore, 'image a')
  const tag = (name: string) => s.repositoryStore.commit('acme/app', (prev) => ({ tags: { ...prev?.tags, [name]: a.id }, images: { [a.id]: a } }))
  for (const name of ['1', '2', '3']) await tag(name) // revisions 1-3, floor 1

  // Right before the feed reads its entries, two more commits raise the floor to 3 and trim 2 and 3.
  const realGetMany = s.index.getMany.bind(s.index)
  let raced = false
  s.index.getMany = async <T>(keys: string[]) => {
    if (!raced) {
      raced = true
      await tag('4')
      await tag('5')
    }
    return realGetMany<T>(keys)
  }
  t.equal(await s.repositoryStore.changes(1), 'too-old', 'not a page without revisions 2 and 3')
  t.ok(raced, 'the trim ran inside the read')
  const page = await s.repositoryStore.changes(3)
  t.same(page !== 'too-old' && page.changes.map((c) => c.rev), [4, 5], 'a since the log still reaches is served')
})
