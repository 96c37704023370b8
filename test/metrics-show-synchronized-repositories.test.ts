// A child's /metrics shows what it synchronized: repositories by state, the blobs and bytes its store
// serves, the bytes received, each listed repository's lag (none once in sync; seconds since its last
// good sync), and its change stream live; the root counts the child among its stream's subscribers.
// A repository only a pattern covers gets no series of its own (bounded cardinality).
import t from 'tap'
import { tempDir } from './helpers/sites.ts'
import { startRoot, startChild, publish, inSync, blobBytes, waitFor } from './helpers/sync.ts'
import { adminKeyOf, bearer } from './helpers/hub.ts'
import { scrape } from './helpers/metrics.ts'
import type { TestSite } from './helpers/sites.ts'

const metricsOf = async (site: TestSite) => scrape(`${site.url}/metrics`, { dispatcher: site.agent, headers: bearer(await adminKeyOf(site)) })

t.test("a child's /metrics shows its synchronized repositories", async (t) => {
  const dir = tempDir(t)
  const root = await startRoot(t, dir)
  const app = blobBytes(30_000, 1)
  const lib = blobBytes(20_000, 2)
  await publish(root, 'acme/app:1', app)
  await publish(root, 'tools/lib:1', lib)
  const child = await startChild(t, dir, 'branch', root.url, root.readKey, 'repositories: [acme/app, tools/*]\n')
  await inSync(child, 'acme/app')
  await inSync(child, 'tools/lib')
  const m = (await waitFor('the change stream live', async () => {
    const s = await metricsOf(child)
    return s.value('fedgate_sync_stream_live') === 1 ? s : undefined
  }))!
  t.equal(m.value('fedgate_sync_repositories', { state: 'in-sync' }), 2)
  t.equal(m.value('fedgate_sync_repositories', { state: 'failing' }), 0)
  t.equal(m.value('fedgate_store_repositories'), 2)
  t.equal(m.value('fedgate_store_blobs'), 2)
  t.equal(m.value('fedgate_store_bytes'), app.length + lib.length)
  t.ok(m.value('fedgate_sync_received_bytes_total')! >= app.length + lib.length, 'the bytes received')
  t.equal(m.value('fedgate_sync_repository_revisions_behind', { repository: 'acme/app' }), 0, 'in sync: nothing behind')
  const since = m.value('fedgate_sync_repository_seconds_since_success', { repository: 'acme/app' })!
  t.ok(since >= 0 && since < 600, 'seconds since its last good sync')
  t.notOk(m.samples.some((s) => s.labels.repository === 'tools/lib'), 'a repository a pattern covers has no series of its own')
  t.equal((await metricsOf(root)).value('fedgate_stream_subscribers'), 1, 'the root counts its subscriber')
})
