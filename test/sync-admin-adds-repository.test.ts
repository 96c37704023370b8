// A repository added at run time through the admin API (admin key of the child) syncs at once, and the
// added set survives a restart. A read key may see the status but not add; no key sees nothing.
import t from 'tap'
import { tempDir, fetchText, startSite } from './helpers/sites.ts'
import { startRoot, startChild, publish, inSync, issueKey, blobBytes } from './helpers/sync.ts'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

t.test('POST /api/v1/admin/repos adds a repository that syncs at once and stays added', async (t) => {
  const dir = tempDir(t)
  const root = await startRoot(t, dir)
  const id = await publish(root, 'acme/app:1.0', blobBytes(5000, 1))
  const child = await startChild(t, dir, 'branch', root.url, root.readKey)
  const admin = await issueKey(child, 'admin')
  const read = await issueKey(child, 'read')
  const add = (key?: string, name = 'acme/app') =>
    fetchText(child, '/api/v1/admin/repos', { method: 'POST', body: JSON.stringify({ name }), headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) } })

  t.equal((await add()).status, 401, 'no key: 401')
  t.equal((await add(read)).status, 403, 'a read key may not add')
  t.equal((await add(admin, '../etc')).status, 400, 'a malformed name is refused')
  const added = await add(admin)
  t.equal(added.status, 201)
  t.same(JSON.parse(added.body).entries, ['acme/app'])
  await inSync(child, 'acme/app')
  t.equal((await add(admin)).status, 200, 'adding twice changes nothing')

  const status = await fetchText(child, '/api/v1/federation/status', { headers: { authorization: `Bearer ${read}` } })
  t.equal(status.status, 200, 'a read key sees the status')
  const repo = (JSON.parse(status.body) as { repos: { name: string; state: string; revision: number }[] }).repos[0]!
  t.match(repo, { name: 'acme/app', state: 'in-sync' })
  t.ok(repo.revision > 0)
  t.equal((await fetchText(child, '/api/v1/federation/status')).status, 401, 'no key, no status')

  const sync = await fetchText(child, '/api/v1/admin/sync', { method: 'POST', body: '{"name":"acme/app","wait":true}', headers: { authorization: `Bearer ${admin}` } })
  t.equal(sync.status, 200, 'an on-demand sync, waited for')
  t.equal((await fetchText(child, '/api/v1/admin/sync', { method: 'POST', body: '{"name":"other/x"}', headers: { authorization: `Bearer ${admin}` } })).status, 404, 'only synchronized names')

  // Restarted with the same YAML (which lists nothing): the added entry is still there.
  await child.gw.close()
  const again = await startSite(t, readFileSync(join(dir, 'branch.yaml'), 'utf8'), { dir, name: 'branch' })
  await inSync(again, 'acme/app')
  const after = await fetchText(again, '/api/v1/federation/status', { headers: { authorization: `Bearer ${admin}` } })
  t.same(JSON.parse(after.body).entries, ['acme/app'], 'the added entry survived the restart')
  const blob = await fetchText(again, `/api/v1/blobs/sha256:${id}`, { method: 'HEAD' })
  t.equal(blob.status, 200)
  for (const key of [admin, read, root.readKey]) {
    t.notOk(child.logs.text.includes(key) || again.logs.text.includes(key), 'no key in any log line')
  }
})
