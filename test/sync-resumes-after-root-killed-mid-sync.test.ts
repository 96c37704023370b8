// The root dies in the middle of a big blob (a throttling TCP proxy in front of it is killed): the
// previous snapshot keeps being served; when the root is back the sync resumes with a Range request
// and finishes without fetching again the bytes it already had (counted through the proxy).
import t from 'tap'
import { request } from 'undici'
import { tempDir, fetchText } from './helpers/sites.ts'
import { startRoot, startChild, publish, inSync, syncOf, blobBytes, sha256, startTcpProxy, waitFor } from './helpers/sync.ts'

t.test('a sync cut by the root dying resumes where it stopped', async (t) => {
  const dir = tempDir(t)
  const root = await startRoot(t, dir)
  const v1 = await publish(root, 'acme/app:1.0', blobBytes(20_000, 1))
  const proxy = await startTcpProxy(t, { host: '127.0.0.1', port: root.gw.httpsPort })
  const child = await startChild(t, dir, 'branch', proxy.url, root.readKey, 'repositories: [acme/app]\nsync: { retry: { initial: 1s, max: 5s } }\n', t.clock)
  await inSync(child, 'acme/app')
  const s = syncOf(child)

  const size = 4 * 1024 * 1024
  const big = blobBytes(size, 2)
  const v2 = await publish(root, 'acme/app:2.0', big)
  proxy.rate = 1024 * 1024 // 1 MiB/s: the download takes a few seconds
  const syncing = s.scheduler.request('acme/app')
  await waitFor('a MiB of the new blob', async () => (await s.blobs.partialSize(v2)) > 1024 * 1024)
  await proxy.kill()
  await syncing
  t.equal(s.status.get('acme/app').state, 'failing', 'the cut sync is failing')
  t.match(s.status.get('acme/app').error, /GW_ERR_ROOT/, 'with the upstream as the reason')
  const kept = await s.blobs.partialSize(v2)
  t.ok(kept > 1024 * 1024 && kept < size, `the received bytes are kept (${kept})`)

  // Meanwhile the previous snapshot is served, whole.
  const repo = await fetchText(child, '/api/v1/repos/acme/app')
  t.equal(repo.status, 200)
  t.same((JSON.parse(repo.body) as { tags: Record<string, string> }).tags, { '1.0': v1, latest: v1 }, 'the previous snapshot, not half of the next')
  const old = await request(`${child.url}/api/v1/repos/acme/app/images/latest/content`, { dispatcher: child.agent })
  t.equal(sha256(Buffer.from(await old.body.arrayBuffer())), v1)

  // The root comes back; the retry (driven by the fake clock) resumes with a Range request.
  proxy.rate = 0
  await proxy.revive()
  const before = proxy.bytesDown
  const resumedBefore = s.fetcher.stats.resumed
  t.clock.advance(60_000)
  await inSync(child, 'acme/app')
  const moved = proxy.bytesDown - before
  t.ok(moved < size - kept + 64 * 1024, `only the missing bytes moved (${moved} for ${size - kept} missing)`)
  t.equal(s.fetcher.stats.resumed, resumedBefore + 1, 'the download resumed with a Range request')
  t.ok(await s.blobs.has(v2))
  t.same((await s.repos.get('acme/app'))?.tags, { '1.0': v1, '2.0': v2, latest: v2 })
  const now = await request(`${child.url}/api/v1/repos/acme/app/images/latest/content`, { dispatcher: child.agent })
  t.equal(sha256(Buffer.from(await now.body.arrayBuffer())), v2, 'the new snapshot is served whole')
})
