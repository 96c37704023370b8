// One repository's change feed (`changes?since=N&repo=…`, answered from the store's state without a scan
// when the repository is quiet) is exactly the whole feed filtered to that repository, for every `since`
// and page size, over random histories of commits, tag removals, drops and commits that move only the
// upstream revision.
import t from 'tap'
import fc from 'fast-check'
import type { Change } from '../plugins/hub/model.ts'
import { openTestStores, storeImage } from './helpers/stores.ts'
import { holds } from './helpers/fuzz.ts'

const REPOS = ['acme/a', 'acme/b', 'acme/c']
const op = fc.record({
  repo: fc.constantFrom(...REPOS),
  kind: fc.constantFrom('tag', 'tag', 'untag', 'drop', 'upstream'),
  tag: fc.constantFrom('1', '2', 'latest'),
  image: fc.nat(1),
})

t.test('a repository\'s feed is the whole feed filtered to it', async (t) => {
  await holds(
    t,
    'changes(since, repo) = changes(since) filtered, paged or not',
    fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 25 }), fc.integer({ min: 1, max: 4 }), async (ops, limit) => {
      const downs: (() => unknown)[] = []
      const s = await openTestStores({ teardown: (fn) => void downs.unshift(fn) })
      try {
        const images = [await storeImage(s.blobStore, 'one'), await storeImage(s.blobStore, 'two')]
        let upstream = 0
        for (const o of ops) {
          const img = images[o.image]!
          if (o.kind === 'drop') {
            const cur = await s.repositoryStore.get(o.repo)
            if (cur) await s.repositoryStore.drop(o.repo, cur.revision)
            continue
          }
          await s.repositoryStore.commit(o.repo, (prev) => {
            const tags = { ...prev?.tags }
            const known = { ...prev?.images, [img.id]: img }
            if (o.kind === 'tag') tags[o.tag] = img.id
            if (o.kind === 'untag') delete tags[o.tag]
            const used = Object.fromEntries(Object.values(tags).map((id) => [id, known[id]!]))
            return { tags, images: used, ...(o.kind === 'upstream' ? { upstreamRevision: ++upstream } : {}) }
          })
        }
        const head = await s.repositoryStore.revision()
        for (let since = 0; since <= head; since++) {
          const all = await s.repositoryStore.changes(since, undefined, 100_000)
          if (all === 'too-old') return false
          for (const repo of [...REPOS, 'acme/never']) {
            const want = all.changes.filter((c) => c.repo === repo)
            const got: Change[] = []
            let from = since
            for (let pages = 0; pages < 100; pages++) {
              const page = await s.repositoryStore.changes(from, repo, limit)
              if (page === 'too-old' || page.revision !== head) return false
              got.push(...page.changes)
              if (!page.more) break
              from = page.changes.at(-1)!.rev
            }
            if (JSON.stringify(got) !== JSON.stringify(want)) return false
          }
        }
        return true
      } finally {
        for (const d of downs) await d()
      }
    }),
    60,
  )
})
