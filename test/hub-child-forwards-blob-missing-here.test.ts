// Nodes of one child site share a Redis index but each has its own disk: a snapshot another node
// committed may reference a blob this node's sync has not brought yet. Such a blob is asked of the
// upstream (forwarded with the site's key) instead of answered 404 while the snapshot says it exists.
import t from 'tap'
import { rmSync } from 'node:fs'
import { fetchText, tempDir } from './helpers/sites.ts'
import { startRoot, startChild, publish, inSync, syncOf, blobBytes } from './helpers/sync.ts'
import type { FileBlobStore } from '../plugins/hub/store/blob-store.ts'

t.test('a referenced blob missing from this node\'s disk is forwarded, not 404', async (t) => {
  const dir = tempDir(t)
  const root = await startRoot(t, dir)
  const bytes = blobBytes(3000, 5)
  const id = await publish(root, 'acme/app:1.0', bytes)
  const child = await startChild(t, dir, 'branch', root.url, root.readKey, 'repositories: [acme/app]\n')
  await inSync(child, 'acme/app')
  const blobs = syncOf(child).blobs as FileBlobStore
  rmSync(blobs.path(id)) // as on a node whose own disk never got it

  const r = await fetchText(child, `/api/v1/blobs/sha256:${id}`)
  t.equal(r.status, 200, 'answered')
  t.equal(r.body, bytes.toString(), 'with the blob\'s bytes, from the upstream')
  const [line] = await child.logs.waitFor((l) => l.msg === 'request' && String(l.path).includes(id))
  t.ok(line?.upstream, 'the request log says it went upstream')
})
