// Repositories added at the same moment (several admins, or scripts adding in parallel) are all kept:
// each addition builds on the stored set by compare-and-set, so none writes back a set that lacks another.
import t from 'tap'
import { tempDir, fetchText } from './helpers/sites.ts'
import { startRoot, startChild, issueKey } from './helpers/sync.ts'

t.test('ten repositories added through the admin API at once are all kept', async (t) => {
  const dir = tempDir(t)
  const root = await startRoot(t, dir)
  const child = await startChild(t, dir, 'branch', root.url, root.readKey)
  const admin = await issueKey(child, 'admin')
  const names = Array.from({ length: 10 }, (_, i) => `acme/app${i}`)
  const answers = await Promise.all(
    names.map((name) => fetchText(child, '/api/v1/admin/repos', { method: 'POST', body: JSON.stringify({ name }), headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` } })),
  )
  t.same(answers.map((a) => a.status), names.map(() => 201), 'each was added')
  const listed = await fetchText(child, '/api/v1/admin/repos', { headers: { authorization: `Bearer ${admin}` } })
  t.same([...(JSON.parse(listed.body) as { entries: string[] }).entries].sort(), names, 'every one is in the set')
})
