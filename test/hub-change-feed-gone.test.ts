import t from 'tap'
import { fetchText } from './helpers/sites.ts'
import { bearer, publish, startRoot } from './helpers/hub.ts'

t.test('the change feed lists tags and tombstones in order, pages with more, and answers 410 beyond the log', async (t) => {
  const root = await startRoot(t, { extra: 'store: { changeLogKeep: 4 }\nhub: { changesLimit: 2 }\n' })
  const h = bearer(root.read)
  t.equal((await publish(root, root.publish, 'acme/app', '1.0', 'one')).status, 201) // revs 1 (1.0), 2 (latest)
  t.equal((await fetchText(root, '/api/v1/repos/acme/app/tags/1.0', { method: 'DELETE', headers: bearer(root.publish) })).status, 204) // rev 3

  const first = JSON.parse((await fetchText(root, '/api/v1/federation/changes?since=0', { headers: h })).body)
  t.equal(first.revision, 3)
  t.equal(first.more, true)
  t.same(first.changes.map((c: { rev: number; op: string; tag: string }) => [c.rev, c.op, c.tag]), [[1, 'tag', '1.0'], [2, 'tag', 'latest']])
  const rest = JSON.parse((await fetchText(root, '/api/v1/federation/changes?since=2&repo=acme/app', { headers: h })).body)
  t.same(rest.changes.map((c: { op: string; tag: string }) => [c.op, c.tag]), [['untag', '1.0']])
  t.notOk(rest.more)

  t.equal((await fetchText(root, '/api/v1/federation/changes?since=0')).status, 401, 'the feed always needs a key')
  t.equal((await fetchText(root, '/api/v1/federation/changes?since=-1', { headers: h })).status, 400)

  for (const tag of ['2.0', '3.0']) t.equal((await publish(root, root.publish, 'acme/app', tag, tag)).status, 201) // revs 4..7
  const gone = await fetchText(root, '/api/v1/federation/changes?since=1', { headers: h })
  t.equal(gone.status, 410)
  t.equal(JSON.parse(gone.body).error.code, 'GW_ERR_GONE')
  const recent = JSON.parse((await fetchText(root, '/api/v1/federation/changes?since=5', { headers: h })).body)
  t.same(recent.changes.map((c: { rev: number }) => c.rev), [6, 7])
  const repos = JSON.parse((await fetchText(root, '/api/v1/federation/repos', { headers: h })).body)
  t.same(repos, { revision: 7, repos: ['acme/app'] })
})
