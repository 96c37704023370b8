// A repository whose entry was removed from the YAML is, after a restart, no longer served from its
// frozen snapshot (requests for it are forwarded) nor shown as queued; its blobs are left to the
// collection. Only what no entry covers at all is dropped: with the upstream unreachable at start, a
// repository a pattern covers is kept (whether the upstream still has it cannot be known), and so is a
// snapshot no sync made (one committed straight into the store, as a publish does).
import t from 'tap'
import { Readable } from 'node:stream'
import { tempDir, fetchText } from './helpers/sites.ts'
import type { IndexedRepositoryStore } from '../plugins/hub/store/repository-store.ts'
import { startRoot, startChild, publish, inSync, syncOf, blobBytes, sha256, startTcpProxy, waitFor } from './helpers/sync.ts'

t.test('a repository no longer selected is dropped at restart; a pattern-covered one is kept', async (t) => {
  const dir = tempDir(t)
  const root = await startRoot(t, dir)
  await publish(root, 'acme/app:1.0', blobBytes(1000, 1))
  const lib = await publish(root, 'acme/lib:1.0', blobBytes(1000, 2))
  await publish(root, 'beta/tool:1.0', blobBytes(1000, 3))
  const proxy = await startTcpProxy(t, { host: '127.0.0.1', port: root.gw.httpsPort })
  // One repository at a time, so that no collection runs beside another repository's commit (it spares
  // blobs younger than store.collect.grace now, but that is not what this tests).
  const first = await startChild(t, dir, 'branch', proxy.url, root.readKey, 'repositories: [acme/app, acme/lib, beta/tool]\nsync: { repoConcurrency: 1 }\n')
  for (const repo of ['acme/app', 'acme/lib', 'beta/tool']) await inSync(first, repo)
  // A snapshot no sync made (no upstream revision), outside the npm plugin's names, which it drops itself.
  const own = Buffer.from('a local image')
  const { blobs, repos } = syncOf(first)
  await blobs.write(sha256(own), Readable.from([own]), { expectedSize: own.length })
  await repos.commit('local/tool', { tags: { latest: sha256(own) }, images: { [sha256(own)]: { id: sha256(own), size: own.length, createdAt: '2026-01-01T00:00:00.000Z' } } })
  await first.gw.close()

  // acme/lib left the YAML, beta/tool is now covered by a pattern; the upstream cannot be reached.
  await proxy.kill()
  const child = await startChild(t, dir, 'branch', proxy.url, root.readKey, 'repositories: [acme/app, beta/*]\n')
  const s = { ...syncOf(child), repos: child.gw.service<IndexedRepositoryStore>('repositoryStore')! }
  t.notOk(s.repos.holds('acme/lib'), 'acme/lib is no longer served from the snapshot')
  t.notOk(s.status.has('acme/lib'), 'nor shown in the status')
  t.same(await s.repos.unreferenced(), [lib], 'its blob is left to the collection')
  for (const repo of ['acme/app', 'beta/tool', 'local/tool']) t.ok(s.repos.holds(repo), `${repo} is still served`)
  t.ok(s.status.has('beta/tool'), 'beta/tool, covered by a pattern, is still synchronized')
  t.notOk(s.status.has('local/tool'), 'a snapshot no sync made is not in the sync status')
  const dropped = child.logs.lines().filter((l) => /dropped/.test(String(l.msg)))
  t.same(dropped.map((l) => [l.level, l.repo]), [['info', 'acme/lib']], 'one info line, for acme/lib only')

  // Requests for acme/lib go to the upstream now: it answers with what it has today.
  await proxy.revive()
  await publish(root, 'acme/lib:2.0', blobBytes(1000, 4))
  let body = ''
  await waitFor('acme/lib forwarded to the root', async () => {
    const r = await fetchText(child, '/api/v1/repos/acme/lib')
    body = r.body
    return r.status === 200
  })
  t.ok('2.0' in (JSON.parse(body) as { tags: Record<string, string> }).tags, 'the root\'s current tags, not the frozen snapshot')
  const routes = await child.logs.waitFor((l) => l.msg === 'request' && l.path === '/api/v1/repos/acme/lib' && l.status === 200)
  t.equal(routes.at(-1)?.route, 'forward')
  const app = await fetchText(child, '/api/v1/repos/acme/app')
  t.equal(app.status, 200, 'acme/app is served from the snapshot')
})
