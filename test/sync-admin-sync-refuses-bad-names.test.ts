// POST /api/v1/admin/sync takes a repository name, checked like every name: a pattern, a query, an
// upper-case or over-long name is a 400 that names the rule, and never becomes a request to the upstream
// or an entry in the status (it used to, retried forever).
import t from 'tap'
import { fetchText, tempDir } from './helpers/sites.ts'
import { startRoot, startChild, publish, inSync, issueKey, blobBytes, syncOf } from './helpers/sync.ts'

t.test('admin sync refuses what is not a repository name', async (t) => {
  const dir = tempDir(t)
  const root = await startRoot(t, dir)
  await publish(root, 'acme/app:1.0', blobBytes(1000, 3))
  const child = await startChild(t, dir, 'branch', root.url, root.readKey, 'repositories: ["acme/*"]\n')
  await inSync(child, 'acme/app')
  const admin = await issueKey(child, 'admin')
  const sync = (body: unknown) => fetchText(child, '/api/v1/admin/sync', { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` } })

  for (const name of ['acme/*', 'acme/x?since=1', 'acme/UPPER', 'acme/../x', 'acme/' + 'z'.repeat(5000), 'acme', 42]) {
    const r = await sync({ name, wait: true })
    t.equal(r.status, 400, `${String(name).slice(0, 20)} is refused`)
    t.match(JSON.parse(r.body).error.message, /ns\/name/)
  }
  t.same(syncOf(child).status.list().map((s) => s.name), ['acme/app'], 'the status holds only real repositories')
  const ok = await sync({ name: 'acme/app', wait: true })
  t.equal(ok.status, 200, 'a selected repository still syncs on demand')
  t.equal((await sync({})).status, 202, 'and {} syncs them all')
})
