// An upstream that names no store (older than the fedgate-store header) may be a middle site answering
// from two stores, so its revisions are never handed to its feed: every sync takes the repository whole.
import t from 'tap'
import { childYaml, startSite, tempDir, writeSecret } from './helpers/sites.ts'
import { startFakeHub } from './helpers/fake-hub.ts'
import { inSync, syncOf } from './helpers/sync.ts'

t.test('without a store id the repository is taken whole', async (t) => {
  const up = await startFakeHub(t, 'acme/app')
  const a = up.image(1)
  Object.assign(up, { revision: 2, tags: { '1.0': a } })
  const dir = tempDir(t)
  writeSecret(dir, 'root.key', 'fgk_child_' + 'r'.repeat(32))
  const child = await startSite(t, childYaml('branch', up.url, 'repositories: [acme/app]\n'), { dir, clock: t.clock })
  await inSync(child, 'acme/app')
  const s = syncOf(child)

  const b = up.image(2)
  Object.assign(up, { revision: 4, tags: { '1.0': a, '2.0': b } })
  up.asked()
  await s.scheduler.request('acme/app')
  t.same((await s.repos.get('acme/app'))?.tags, { '1.0': a, '2.0': b })
  t.same(up.asked().filter((p) => !p.startsWith('/api/v1/blobs/')), ['/api/v1/repos/acme/app'], 'whole, the feed not asked')

  await s.scheduler.request('acme/app')
  t.same(up.asked(), ['/api/v1/repos/acme/app'], 'whole again, no blob fetched again')
  t.equal(s.status.get('acme/app').state, 'in-sync')
})
