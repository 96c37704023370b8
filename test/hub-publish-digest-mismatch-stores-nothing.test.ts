import t from 'tap'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { fetchText } from './helpers/sites.ts'
import { bearer, publish, startRoot } from './helpers/hub.ts'
import { sha256 } from './helpers/stores.ts'
import type { FileBlobStore } from '../plugins/hub/store/blob-store.ts'

t.test('a publish whose bytes do not match X-Content-Digest is refused (422) and stores nothing', async (t) => {
  const root = await startRoot(t)
  const res = await publish(root, root.publish, 'acme/app', '1.0', 'the real bytes', { 'x-content-digest': `sha256:${sha256('other bytes')}` })
  t.equal(res.status, 422)
  t.equal((res.body.error as { code: string }).code, 'GW_ERR_DIGEST_MISMATCH')
  const blobs = root.gw.service<FileBlobStore>('blobStore')!
  const stored: string[] = []
  for await (const id of blobs.list()) stored.push(id)
  t.same(stored, [], 'no blob')
  t.same(readdirSync(join(blobs.dir, 'tmp')), [], 'no temp file left')
  t.equal((await fetchText(root, '/api/v1/repos/acme/app', { headers: bearer(root.read) })).status, 404, 'no repository, no tag')
  const malformed = await publish(root, root.publish, 'acme/app', '1.0', 'x', { 'x-content-digest': 'md5:abc' })
  t.equal(malformed.status, 400)
})
