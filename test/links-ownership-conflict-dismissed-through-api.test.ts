// An operator dismisses an ownership conflict (docs/federation.md, "Ownership learnt late") with an admin
// key: POST /api/v1/federation/links/dismiss-conflict {"repo", "tag"}. The value leaves the lists
// (/health, links status) in one index commit, which another process of the site (a node on the same
// Redis, a worker on the same lmdb) picks up, and which no peer ever reads as a change. An unknown
// conflict, or a bad name, is refused naming it, and changes nothing.
import t from 'tap'
import { adminKeyOf, bearer, healthOf } from './helpers/hub.ts'
import { ownershipConflictAtTokyo } from './helpers/links.ts'
import { startRedis } from './helpers/redis.ts'
import { fetchText, tempDir } from './helpers/sites.ts'
import { sha256 } from './helpers/stores.ts'
import { loadConfigFile } from '../gateway/config/load.ts'
import { builtinPlugins } from '../plugins/index.ts'
import { openStores } from '../plugins/hub/store/open.ts'
import type { IndexedRepositoryStore } from '../plugins/hub/store/repository-store.ts'

const PATH = '/api/v1/federation/links/dismiss-conflict'
const listed = async (site: Parameters<typeof healthOf>[0]) => ((await healthOf(site)).federation.ownershipConflicts as { repo: string; tag: string }[]).map((c) => `${c.repo}:${c.tag}`)

for (const index of ['embedded', 'redis'] as const) {
  t.test(`dismissing an ownership conflict through the admin API (${index} index)`, async (t) => {
    const dir = tempDir(t)
    const store = index === 'redis' ? `index: '${(await startRedis(t)).url}'` : undefined
    const { tokyo } = await ownershipConflictAtTokyo(t, { dir, store })
    const repos = tokyo.gw.service<IndexedRepositoryStore>('repositoryStore')!
    const admin = bearer(await adminKeyOf(tokyo))
    const dismiss = (body: unknown, headers: Record<string, string> = admin) => fetchText(tokyo, PATH, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) })
    t.same(await listed(tokyo), ['london/app:1.0', 'london/app:latest'], 'tokyo holds two conflicts')
    const before = await repos.revision()
    // Another process of the site (a node on the same Redis, a worker or the CLI on the same lmdb).
    const other = await openStores(loadConfigFile(`${dir}/tokyo.yaml`, builtinPlugins), { follow: false })
    t.teardown(() => other.close())
    t.equal(other.repositoryStore.asideTags().length, 2, 'another process holds both too')

    t.equal((await dismiss({ repo: 'london/app', tag: '1.0' }, {})).status, 401, 'not without a key')
    const unknown = await dismiss({ repo: 'london/app', tag: '2.0' })
    t.equal(unknown.status, 404, 'an unknown conflict: 404')
    t.match(JSON.parse(unknown.body).error, { code: 'GW_ERR_NO_OWNERSHIP_CONFLICT', message: /london\/app:2\.0/ }, 'naming it')
    const bad = await dismiss({ repo: 'London/App', tag: '1.0' })
    t.equal(bad.status, 400, 'a bad repository name: 400')
    t.match(JSON.parse(bad.body).error.message, /a repository is namespace\/name/)
    t.equal((await dismiss({ repo: 'london/app' })).status, 400, 'no tag: 400')
    t.same(await listed(tokyo), ['london/app:1.0', 'london/app:latest'], 'the refusals changed nothing')
    t.equal(await repos.revision(), before, 'nor wrote anything')

    const done = await dismiss({ repo: 'london/app', tag: '1.0' })
    t.equal(done.status, 200, 'dismissed')
    t.match(JSON.parse(done.body), { dismissed: [{ repo: 'london/app', tag: '1.0', digest: `sha256:${sha256('tokyo one')}`, owner: 'london' }] }, 'the answer names what was dismissed')
    t.same(await listed(tokyo), ['london/app:latest'], 'the other conflict is still listed')
    const status = await fetchText(tokyo, '/api/v1/federation/links/status', { headers: admin })
    t.same(JSON.parse(status.body).ownershipConflicts.map((c: { tag: string }) => c.tag), ['latest'], 'in the links status too')
    t.equal((await dismiss({ repo: 'london/app', tag: '1.0' })).status, 404, 'dismissed once: it is unknown now')
    t.equal((await fetchText(tokyo, '/api/v1/repos/london/app/images/1.0/content')).body, 'london one', 'the owner\'s value is still served')

    // What peers read: the change feed moved past the dismissal, and carries nothing for it.
    const feed = JSON.parse((await fetchText(tokyo, `/api/v1/federation/changes?since=${before}`, { headers: admin })).body)
    t.ok(feed.revision > before, 'the dismissal took a revision')
    t.same(feed.changes, [], 'but no change a peer would apply')

    await other.repositoryStore.refresh()
    t.same(other.repositoryStore.asideTags().map((a) => a.tag), ['latest'], 'the other process picks the dismissal up at its refresh')
  })
}
