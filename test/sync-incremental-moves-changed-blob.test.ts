// After one tag changes at the root, the next sync asks only for the changes since the revision it
// holds and downloads only the changed blob.
import t from 'tap'
import { tempDir } from './helpers/sites.ts'
import { startRoot, startChild, publish, inSync, syncOf, blobBytes } from './helpers/sync.ts'

t.test('an incremental sync moves only the changed blob', async (t) => {
  const dir = tempDir(t)
  const root = await startRoot(t, dir)
  for (let i = 1; i <= 4; i++) await publish(root, `acme/app:${i}.0`, blobBytes(50_000, i))
  // The stream off: this test drives the sync itself (a stream-triggered one would race its counts).
  const child = await startChild(t, dir, 'branch', root.url, root.readKey, 'repositories: [acme/app]\nsync: { stream: { enabled: false } }\n')
  await inSync(child, 'acme/app')
  const rootRequests = () => root.logs.lines().filter((l) => l.msg === 'request').map((l) => String(l.path))
  const blobRequests = () => rootRequests().filter((p) => p.startsWith('/api/v1/blobs/'))
  // Request lines are written in batches: the last blob's line may still be pending when the sync ends.
  await root.logs.waitFor((l) => l.msg === 'request' && String(l.path).startsWith('/api/v1/blobs/'), 4)
  t.equal(blobRequests().length, 4, 'the first sync fetched every blob once')
  const seenBefore = rootRequests().length

  const changed = await publish(root, 'acme/app:2.0', blobBytes(50_000, 99))
  const s = syncOf(child)
  await s.scheduler.request('acme/app')
  t.equal(s.status.get('acme/app').state, 'in-sync')
  // Request lines are written in batches: wait for the root's line of the changed blob before counting.
  await root.logs.waitFor((l) => l.msg === 'request' && String(l.path) === `/api/v1/blobs/sha256:${changed}`)
  await root.logs.waitFor((l) => l.msg === 'request' && String(l.path) === '/api/v1/federation/changes')
  t.same(blobRequests().slice(4), [`/api/v1/blobs/sha256:${changed}`], 'only the changed blob moved')
  const since = rootRequests().slice(seenBefore)
  t.ok(since.some((p) => p === '/api/v1/federation/changes'), 'it asked the change feed')
  t.notOk(since.some((p) => p === '/api/v1/repos/acme/app'), 'not the repository whole')
  t.equal((await s.repos.get('acme/app'))?.tags['2.0'], changed)

  await s.scheduler.request('acme/app')
  t.equal(blobRequests().length, 5, 'a sync with nothing new fetches nothing')
})
