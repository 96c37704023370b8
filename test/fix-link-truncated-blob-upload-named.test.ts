// A blob upload over a link whose body ended before its declared size (Fedgate-Size) was answered
// 422 GW_ERR_DIGEST_MISMATCH "truncated: 400 of 1000 bytes": no digest was compared, and it read as
// corrupted bytes. It is now 400 GW_ERR_TRUNCATED saying what was expected and what arrived; nothing is
// stored (the bytes that arrived are kept only to continue from, as for a cut upload). A sender whose
// own stored copy is short sends nothing and says so in its link's status, instead of sending a short
// body the peer can only refuse.
import t from 'tap'
import { truncateSync } from 'node:fs'
import { bearer, publish } from './helpers/hub.ts'
import { linkStatus, startLinked } from './helpers/links.ts'
import { fetchText, tempDir } from './helpers/sites.ts'
import { sha256 } from './helpers/stores.ts'
import type { FileBlobStore } from '../plugins/hub/store/blob-store.ts'

const LINK = '/api/v1/federation/link'
const bytes = Buffer.alloc(1000, 'x')
const id = sha256(bytes)

t.test('a truncated blob upload is refused as truncated, naming the sizes, and stores nothing', async (t) => {
  const dir = tempDir(t)
  const tokyo = await startLinked(t, 'tokyo', { dir, owns: ['tokyo/*'] })
  const token = (await tokyo.links.create({ name: 'london', repositories: ['london/*'], mode: 'push' })).token
  const put = await fetchText(tokyo, `${LINK}/blobs/sha256:${id}`, { method: 'PUT', headers: { ...bearer(token), 'fedgate-offset': '0', 'fedgate-size': String(bytes.length) }, body: bytes.subarray(0, 400) })
  t.equal(put.status, 400, 'the request is at fault')
  const error = JSON.parse(put.body).error as { code: string; message: string }
  t.equal(error.code, 'GW_ERR_TRUNCATED')
  t.match(error.message, /expected 1000 bytes/, 'says what was expected')
  t.match(error.message, /400 arrived/, 'and what arrived')
  t.notMatch(error.message, /digest/, 'no digest was compared')
  const head = await fetchText(tokyo, `${LINK}/blobs/sha256:${id}`, { method: 'HEAD', headers: bearer(token) })
  t.equal(head.status, 404, 'the blob is not stored')
  t.notOk(await tokyo.gw.service<FileBlobStore>('blobStore')!.has(id))
  const at = new Date().toISOString()
  const change = { rev: 1, repo: 'london/app', op: 'tag', tag: '1.0', image: { id, size: bytes.length, createdAt: at }, at, origin: 'london', originRev: 1 }
  const upload = await fetchText(tokyo, `${LINK}/changes`, { method: 'POST', headers: { ...bearer(token), 'content-type': 'application/json' }, body: JSON.stringify({ site: 'london', store: 's', upTo: 1, changes: [change] }) })
  t.equal(upload.status, 409, 'a change naming it is refused as one naming a blob the site lacks')

  // The rest of the bytes, from where the kept ones end, make the verified blob.
  const rest = await fetchText(tokyo, `${LINK}/blobs/sha256:${id}`, { method: 'PUT', headers: { ...bearer(token), 'fedgate-offset': '400', 'fedgate-size': String(bytes.length) }, body: bytes.subarray(400) })
  t.equal(rest.status, 201, 'the upload continues from the bytes that arrived')
})

t.test('a sender whose stored copy is short sends nothing and names it in its status', async (t) => {
  const dir = tempDir(t)
  const tokyo = await startLinked(t, 'tokyo', { dir, owns: ['tokyo/*'], hub: 'stream: { enabled: false }' })
  const token = (await tokyo.links.create({ name: 'london', repositories: ['london/*'], mode: 'push' })).token
  const london = await startLinked(t, 'london', { dir, owns: ['london/*'], extra: 'store: { hotBlobMax: 0 }\n', links: [{ name: 'tokyo', url: tokyo.url, token, mode: 'push', repositories: ['london/*'] }] })
  await london.engine('tokyo').exchange()
  t.equal((await publish(london, london.publish, 'london/app', '1.0', bytes)).status, 201)
  truncateSync(london.gw.service<FileBlobStore>('blobStore')!.path(id), 400) // a damaged disk
  const failure = await london.engine('tokyo').exchange().then(() => 'ok', (err: Error) => err.message)
  t.match(failure, new RegExp(`sha256:${id}`), 'names the blob')
  t.match(failure, /400 bytes/, 'what is stored')
  t.match(failure, /1000/, 'and what its image says')
  t.match((await linkStatus(london, 'outgoing', 'tokyo')).failing?.reason, /400 bytes/, 'the link\'s status says so')
  t.equal(await tokyo.gw.service<FileBlobStore>('blobStore')!.partialSize(id), 0, 'nothing was sent')
  t.equal((await fetchText(tokyo, '/api/v1/repos/london/app')).status, 404, 'nothing was applied at the peer')
})
