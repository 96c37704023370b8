// A sync whose blob cannot be written to this site's own disk (here the store's partial folder is a
// file, so every partial download fails with ENOTDIR, as a full disk or `ulimit -f` fails it) names the
// local store as the reason; the root, which answered correctly, is not blamed, nor counted as failing.
import t from 'tap'
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { tempDir, fetchText } from './helpers/sites.ts'
import { startRoot, startChild, publish, blobBytes, issueKey, syncOf, waitFor } from './helpers/sync.ts'
import type { FileBlobStore } from '../plugins/hub/store/blob-store.ts'

t.test('a blob the local store cannot write fails the sync as the store\'s error, not the root\'s', async (t) => {
  const dir = tempDir(t)
  const root = await startRoot(t, dir)
  await publish(root, 'acme/app:1.0', blobBytes(64 * 1024, 3))
  const child = await startChild(t, dir, 'branch', root.url, root.readKey)
  const admin = await issueKey(child, 'admin')
  const { status, blobs } = syncOf(child)
  const partial = join((blobs as FileBlobStore).dir, 'partial')
  rmSync(partial, { recursive: true, force: true })
  writeFileSync(partial, 'not a folder')

  const added = await fetchText(child, '/api/v1/admin/repos', { method: 'POST', body: '{"name":"acme/app"}', headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` } })
  t.equal(added.status, 201)
  await waitFor('a failing status', () => status.has('acme/app') && status.get('acme/app').state === 'failing')

  t.match(status.get('acme/app').error, /^GW_ERR_STORE_WRITE_FAILED: The local store could not be written.*\(ENOTDIR\)/, 'the status names the local store and the errno')
  const listed = JSON.parse((await fetchText(child, '/api/v1/federation/status', { headers: { authorization: `Bearer ${admin}` } })).body) as { repos: { name: string; error?: string }[] }
  t.match(listed.repos.find((r) => r.name === 'acme/app')?.error, /GW_ERR_STORE_WRITE_FAILED/, 'so does federation/status')
  const logged = child.logs.lines().find((l) => l.msg === 'repository sync failed')
  t.match(logged?.reason, /GW_ERR_STORE_WRITE_FAILED/, 'so does the log line')
  t.notOk(child.logs.text.includes('GW_ERR_ROOT_BAD_RESPONSE'), 'the root is blamed nowhere')

  const health = child.gw.rootHealth!
  t.equal(health.failures.bad_response, 0, 'no failure counted against the root')
  t.equal(health.snapshot().lastError, undefined, 'the root has no last error')
  t.equal(health.state, 'up')
})
