import t from 'tap'
import { fetchText } from './helpers/sites.ts'
import { bearer, publish, startRoot } from './helpers/hub.ts'
import { startRedis } from './helpers/redis.ts'
import { openTestStores, storeImage } from './helpers/stores.ts'

t.test('with store.index: redis://…, a real redis-server holds the index: commits, changes, keys', async (t) => {
  const redis = await startRedis(t)
  const s = await openTestStores(t, { index: redis.url, changeLogKeep: 2, prefix: 'fedgate:a:' })
  t.equal(s.index.kind, 'redis')
  const a = await storeImage(s.blobStore, 'a')
  const b = await storeImage(s.blobStore, 'b')
  await s.repositoryStore.commit('acme/app', { tags: { latest: a.id }, images: { [a.id]: a } })
  const st = await s.repositoryStore.commit('acme/app', { tags: { latest: b.id, old: a.id }, images: { [a.id]: a, [b.id]: b } })
  t.equal(st.revision, 3)
  const page = await s.repositoryStore.changes(1)
  t.same(page !== 'too-old' && page.changes.map((c) => [c.op, c.tag]), [['tag', 'latest'], ['tag', 'old']])
  t.equal(await s.repositoryStore.changes(0), 'too-old')

  // A second process's view (another node on the same Redis) sees the same state after a scan.
  const other = await openTestStores(t, { dir: s.dir, index: redis.url, prefix: 'fedgate:a:' })
  t.ok(other.repositoryStore.holds('acme/app'))
  t.equal((await other.repositoryStore.get('acme/app'))?.revision, 3)
  const elsewhere = await openTestStores(t, { dir: s.dir, index: redis.url, prefix: 'fedgate:b:' })
  t.notOk(elsewhere.repositoryStore.holds('acme/app'), 'another site on the same Redis sees nothing of it')
})

t.test('a root site with its index in Redis serves what it published', async (t) => {
  const redis = await startRedis(t)
  const root = await startRoot(t, { extra: `store: { index: "${redis.url}" }\n` })
  t.equal((await publish(root, root.publish, 'acme/app', '1.0', 'bytes in redis mode')).status, 201)
  const info = await fetchText(root, '/api/v1/repos/acme/app', { headers: bearer(root.read) })
  t.equal(info.status, 200)
  t.equal(JSON.parse(info.body).revision, 2)
  t.match(root.gw.health(), { hub: { index: 'redis', repositories: 1 } })
})
