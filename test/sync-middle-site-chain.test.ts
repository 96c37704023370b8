// root → middle site A → branch B: B synchronizes from A with a key A issued, and keeps serving when
// both the root and A are down.
import t from 'tap'
import { request } from 'undici'
import { tempDir, fetchText } from './helpers/sites.ts'
import { startRoot, startChild, publish, inSync, issueKey, blobBytes, sha256 } from './helpers/sync.ts'

t.test('a branch syncs from a middle site and serves with both upstreams down', async (t) => {
  const dir = tempDir(t)
  const root = await startRoot(t, dir)
  const bytes = blobBytes(200_000, 3)
  const id = await publish(root, 'acme/app:1.0', bytes)
  await publish(root, 'acme/lib:1.0', blobBytes(1000, 4))
  const middle = await startChild(t, dir, 'region', root.url, root.readKey, 'repositories: [acme/*]\n')
  await inSync(middle, 'acme/app')
  await inSync(middle, 'acme/lib')

  const branchKey = await issueKey(middle, 'read', 'branch')
  const branch = await startChild(t, dir, 'branch', middle.url, branchKey, 'repositories: [acme/app]\n')
  await inSync(branch, 'acme/app')
  const middleBlobs = await middle.logs.waitFor((l) => l.msg === 'request' && String(l.path) === `/api/v1/blobs/sha256:${id}`)
  t.equal(middleBlobs.length, 1, 'the branch fetched the blob from the middle site')

  await root.gw.close()
  await middle.gw.close()
  const repo = await fetchText(branch, '/api/v1/repos/acme/app')
  t.equal(repo.status, 200)
  t.equal((JSON.parse(repo.body) as { tags: Record<string, string> }).tags['1.0'], id)
  const blob = await request(`${branch.url}/api/v1/repos/acme/app/images/1.0/content`, { dispatcher: branch.agent })
  t.equal(blob.statusCode, 200)
  t.equal(sha256(Buffer.from(await blob.body.arrayBuffer())), id, 'the branch serves the bytes itself')
  t.notOk(branch.logs.text.includes(branchKey), 'the key A issued is in no log line of B')
})
