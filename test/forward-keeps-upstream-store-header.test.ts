// A middle site answers repository info from its own store only for what it holds; a forwarded answer
// keeps the root's fedgate-store header, so a branch knows whose revision numbers it was given.
import t from 'tap'
import { fetchText, tempDir } from './helpers/sites.ts'
import { blobBytes, inSync, issueKey, publish, startChild, startRoot } from './helpers/sync.ts'

t.test('a forwarded repository answer names the root store, a held one the middle store', async (t) => {
  const dir = tempDir(t)
  const root = await startRoot(t, dir)
  await publish(root, 'acme/app:1.0', blobBytes(1000, 1))
  await publish(root, 'acme/other:1.0', blobBytes(1000, 2))
  const middle = await startChild(t, dir, 'region', root.url, root.readKey, 'repositories: [acme/app]\n')
  await inSync(middle, 'acme/app')

  const rootStore = (await fetchText(root, '/api/v1/federation/repos', { headers: { authorization: `Bearer ${root.readKey}` } })).headers['fedgate-store']
  const middleStore = (await fetchText(middle, '/api/v1/federation/repos', { headers: { authorization: `Bearer ${await issueKey(middle, 'read')}` } })).headers['fedgate-store']
  t.ok(rootStore && middleStore && rootStore !== middleStore, 'two stores, two ids')

  const forwarded = await fetchText(middle, '/api/v1/repos/acme/other')
  t.equal(forwarded.status, 200)
  t.equal(forwarded.headers['fedgate-store'], rootStore, 'forwarded: the root store')
  const held = await fetchText(middle, '/api/v1/repos/acme/app')
  t.equal(held.status, 200)
  t.equal(held.headers['fedgate-store'], middleStore, 'held: the middle store')
})
