// A PUT with Content-Range carries part of an image: RFC 9110 §14.5 has the origin refuse it with 400.
// It was stored as the whole image (a 1-byte "image" tagged 11). Now it is refused and stores nothing.
import t from 'tap'
import { fetchText } from './helpers/sites.ts'
import { bearer, publish, startRoot } from './helpers/hub.ts'
import type { FileBlobStore } from '../plugins/hub/store/blob-store.ts'

t.test('a publish with Content-Range is refused (400) and stores nothing', async (t) => {
  const root = await startRoot(t)
  const res = await publish(root, root.publish, 'acme/app', '11', 'x', { 'content-range': 'bytes 0-0/100' })
  t.equal(res.status, 400)
  t.match(res.body.error, { code: 'GW_ERR_BAD_REQUEST', message: /Content-Range/ }, 'the error names the header')
  const stored: string[] = []
  for await (const id of root.gw.service<FileBlobStore>('blobStore')!.list()) stored.push(id)
  t.same(stored, [], 'no blob')
  t.equal((await fetchText(root, '/api/v1/repos/acme/app', { headers: bearer(root.read) })).status, 404, 'no repository, no tag')
})
