import t from 'tap'
import { applyChanges, fromWhole, sameTags } from '../plugins/sync/plan.ts'
import { expand } from '../plugins/sync/patterns.ts'
import type { RepoState } from '../plugins/hub/model.ts'

const img = (c: string) => ({ id: c.repeat(64), size: 1, createdAt: '2026-01-01T00:00:00.000Z' })

t.test('changes move tags, tombstones remove them, and unreferenced images drop out', async (t) => {
  const cur: RepoState = { name: 'a/b', revision: 3, tags: { '1.0': 'a'.repeat(64), latest: 'a'.repeat(64), old: 'b'.repeat(64) }, images: { ['a'.repeat(64)]: img('a'), ['b'.repeat(64)]: img('b') }, upstreamRevision: 10 }
  const next = applyChanges(
    cur,
    [
      { rev: 11, repo: 'a/b', op: 'tag', tag: '2.0', image: img('c'), at: '' },
      { rev: 12, repo: 'a/b', op: 'tag', tag: 'latest', image: img('c'), at: '' },
      { rev: 13, repo: 'a/b', op: 'untag', tag: 'old', at: '' },
    ],
    13,
  )
  t.same(next.tags, { '1.0': 'a'.repeat(64), '2.0': 'c'.repeat(64), latest: 'c'.repeat(64) })
  t.same(Object.keys(next.images).sort(), ['a'.repeat(64), 'c'.repeat(64)])
  t.equal(next.upstreamRevision, 13)
  t.notOk(sameTags(cur.tags, next.tags))
  t.ok(sameTags(next.tags, { ...next.tags }))
})

t.test('a whole repository keeps its revision; a missing one is empty', async (t) => {
  const w = fromWhole({ name: 'a/b', revision: 7, tags: { x: 'a'.repeat(64) }, images: { ['a'.repeat(64)]: img('a'), ['b'.repeat(64)]: img('b') } }, 0)
  t.equal(w.upstreamRevision, 7)
  t.same(Object.keys(w.images), ['a'.repeat(64)])
  t.same(fromWhole(undefined, 0), { tags: {}, images: {}, upstreamRevision: 0 })
  t.throws(() => fromWhole({ name: 'a/b', revision: 1, tags: { x: 'd'.repeat(64) }, images: {} }, 0), /without describing it/)
})

t.test('patterns select a namespace, names stand for themselves', async (t) => {
  t.same(expand(['acme/*', 'moz/ff'], ['acme/app', 'acme/lib', 'acmex/no', 'other/x']), ['acme/app', 'acme/lib', 'moz/ff'])
})
