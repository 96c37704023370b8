// A graceful stop (SIGTERM) in the middle of a blob download keeps the bytes received, as a SIGKILL
// does, so the next start resumes with a Range request instead of fetching them again. Only bytes that
// are wrong (a digest mismatch, too many) are dropped.
import t from 'tap'
import { tempDir } from './helpers/sites.ts'
import { startRoot, startChild, publish, inSync, syncOf, blobBytes, startTcpProxy, waitFor } from './helpers/sync.ts'

t.test('a graceful stop mid-download keeps the partial blob', async (t) => {
  const dir = tempDir(t)
  const root = await startRoot(t, dir)
  await publish(root, 'acme/app:1.0', blobBytes(20_000, 1))
  // Through a throttled proxy, so the stop lands mid-blob.
  const proxy = await startTcpProxy(t, { host: '127.0.0.1', port: root.gw.httpsPort })
  const child = await startChild(t, dir, 'branch', proxy.url, root.readKey, 'repositories: [acme/app]\n')
  await inSync(child, 'acme/app')
  const s = syncOf(child)
  const v2 = await publish(root, 'acme/app:2.0', blobBytes(4 * 1024 * 1024, 2))
  proxy.rate = 1024 * 1024
  const syncing = s.scheduler.request('acme/app')
  await waitFor('half a MiB of the new blob', async () => (await s.blobs.partialSize(v2)) > 512 * 1024)
  const before = await s.blobs.partialSize(v2)
  await child.gw.close()
  await syncing.catch(() => {})
  t.ok((await s.blobs.partialSize(v2)) >= before, 'the bytes received are kept for a Range resume')
  t.notOk(await s.blobs.has(v2), 'and nothing half-received is a blob')
})
