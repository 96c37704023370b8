// The upstream's store was replaced by one whose revision is higher than the one the child holds and
// whose feed has nothing after it: the feed's store id differs, so the child takes the repository whole
// instead of reporting in sync with a stale snapshot. Once it knows the new store, the feed is used again.
import t from 'tap'
import { childYaml, startSite, tempDir, writeSecret } from './helpers/sites.ts'
import { startFakeHub } from './helpers/fake-hub.ts'
import { inSync, syncOf } from './helpers/sync.ts'

t.test('a replaced upstream store is detected by its id', async (t) => {
  const up = await startFakeHub(t, 'acme/app')
  const a = up.image(1)
  Object.assign(up, { store: 'store-one', revision: 5, tags: { '1.0': a } })
  const dir = tempDir(t)
  writeSecret(dir, 'root.key', 'fgk_child_' + 'r'.repeat(32))
  const child = await startSite(t, childYaml('branch', up.url, 'repositories: [acme/app]\n'), { dir, clock: t.clock })
  await inSync(child, 'acme/app')
  const s = syncOf(child)
  t.same((await s.repos.get('acme/app'))?.tags, { '1.0': a })

  const b = up.image(2)
  Object.assign(up, { store: 'store-two', revision: 9, tags: { '1.0': a, '2.0': b } })
  up.asked()
  await s.scheduler.request('acme/app')
  t.same((await s.repos.get('acme/app'))?.tags, { '1.0': a, '2.0': b }, 'the new store\'s tags')
  t.same(up.asked().filter((p) => !p.startsWith('/api/v1/blobs/')), ['/api/v1/federation/changes', '/api/v1/repos/acme/app'], 'the feed, then the repository whole')
  t.equal(s.status.get('acme/app').upstreamRevision, 9)

  await s.scheduler.request('acme/app')
  t.same(up.asked(), ['/api/v1/federation/changes'], 'the same store again: the feed alone')
})
