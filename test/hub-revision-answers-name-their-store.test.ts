// Every answer carrying a revision names the store whose numbering it is in (fedgate-store): the same
// id for repository info (also a 304), the change feed and federation/repos; kept when the site restarts
// on its store, different for another store; the repository ETag includes it.
import t from 'tap'
import { fetchText, tempDir } from './helpers/sites.ts'
import { blobBytes, publish, startRoot, type RootSite } from './helpers/sync.ts'

async function storeHeaders(root: RootSite): Promise<unknown[]> {
  const auth = { authorization: `Bearer ${root.readKey}` }
  const info = await fetchText(root, '/api/v1/repos/acme/app', { headers: auth })
  const cached = await fetchText(root, '/api/v1/repos/acme/app', { headers: { ...auth, 'if-none-match': String(info.headers.etag) } })
  const changes = await fetchText(root, '/api/v1/federation/changes?since=0', { headers: auth })
  const repos = await fetchText(root, '/api/v1/federation/repos', { headers: auth })
  t.same([info.status, cached.status, changes.status, repos.status], [200, 304, 200, 200])
  return [info, cached, changes, repos].map((r) => r.headers['fedgate-store'])
}

t.test('revision answers name their store; a restart keeps it, another store differs', async (t) => {
  const dir = tempDir(t)
  const root = await startRoot(t, dir)
  await publish(root, 'acme/app:1.0', blobBytes(1000, 1))
  const ids = await storeHeaders(root)
  const id = ids[0]
  t.match(id, /^[A-Za-z0-9_-]{16}$/, 'a random id')
  t.same(ids, [id, id, id, id], 'the same on every answer')

  await root.gw.close()
  const again = await startRoot(t, dir)
  t.same(await storeHeaders(again), [id, id, id, id], 'kept across a restart on the same store')

  const auth = { authorization: `Bearer ${again.readKey}` }
  const etag = String((await fetchText(again, '/api/v1/repos/acme/app', { headers: auth })).headers.etag)
  const other = await startRoot(t, dir, 'other-root')
  await publish(other, 'acme/app:1.0', blobBytes(1000, 1))
  const [otherId] = await storeHeaders(other)
  t.not(otherId, id, 'another store has another id')
  // Same repository, same revision, another store: the first store's ETag must not validate here.
  const elsewhere = await fetchText(other, '/api/v1/repos/acme/app', { headers: { authorization: `Bearer ${other.readKey}`, 'if-none-match': etag } })
  t.equal(elsewhere.status, 200, 'no 304 for another store\'s ETag at the same revision')
  t.not(elsewhere.headers.etag, etag)
})
