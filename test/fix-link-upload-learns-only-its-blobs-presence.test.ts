// A link's token that uploads asks which blobs the site lacks (POST …/link/blobs, HEAD …/link/blobs/…):
// it is told a blob is held only when a repository its link carries references it. A blob held only for
// other repositories is answered exactly like one the site lacks, and so is a PUT of wrong bytes for it
// (the bytes are verified, held or not): the token learns nothing of it. The sender then uploads it, and
// the site verifies it and keeps it once.
import t from 'tap'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import type { FileBlobStore } from '../plugins/hub/store/blob-store.ts'
import { bearer, publish } from './helpers/hub.ts'
import { linkStatus, startLinked } from './helpers/links.ts'
import { fetchText, tempDir } from './helpers/sites.ts'
import { sha256 } from './helpers/stores.ts'

t.test('a link token learns only whether its own repositories\' blobs are held', async (t) => {
  const dir = tempDir(t)
  const tokyo = await startLinked(t, 'tokyo', { dir, owns: ['tokyo/*'] })
  t.equal((await publish(tokyo, tokyo.publish, 'tokyo/secret', '1.0', 'tokyo secret')).status, 201)
  const token = (await tokyo.links.create({ name: 'london', repositories: ['london/*'], mode: 'push' })).token
  const secret = sha256('tokyo secret')
  const unknown = sha256('nobody has this')
  const head = (id: string) => fetchText(tokyo, `/api/v1/federation/link/blobs/sha256:${id}`, { method: 'HEAD', headers: bearer(token) })
  const ask = async (ids: string[]) => {
    const res = await fetchText(tokyo, '/api/v1/federation/link/blobs', { method: 'POST', headers: { ...bearer(token), 'content-type': 'application/json' }, body: JSON.stringify({ ids }) })
    t.equal(res.status, 200, res.body)
    return (JSON.parse(res.body) as { missing: Record<string, number> }).missing
  }
  const put = (id: string, bytes: string) =>
    fetchText(tokyo, `/api/v1/federation/link/blobs/sha256:${id}`, { method: 'PUT', headers: { ...bearer(token), 'fedgate-offset': '0', 'fedgate-size': String(bytes.length), 'content-type': 'application/octet-stream' }, body: bytes })

  const [held, lacked] = [await head(secret), await head(unknown)]
  t.equal(held.status, 404, 'HEAD: a blob only tokyo/secret references is reported missing')
  t.same([held.status, held.headers['fedgate-partial']], [lacked.status, lacked.headers['fedgate-partial']], 'HEAD: exactly as one the site lacks')
  t.same(await ask([secret, unknown]), { [secret]: 0, [unknown]: 0 }, 'POST: both missing, nothing kept of either')
  const [wrongHeld, wrongLacked] = [await put(secret, 'not the secr'), await put(unknown, 'not the secr')]
  t.equal(wrongHeld.status, 422, 'PUT: wrong bytes for the held blob are refused')
  t.same([wrongHeld.status, wrongHeld.body.replace(secret, 'X')], [wrongLacked.status, wrongLacked.body.replace(unknown, 'X')], 'PUT: exactly as for a blob the site lacks')

  const before = (await linkStatus(tokyo, 'incoming', 'london')).bytes.in
  const london = await startLinked(t, 'london', { dir, owns: ['london/*'], links: [{ name: 'london', url: tokyo.url, token, mode: 'push', repositories: ['london/*'] }] })
  t.equal((await publish(london, london.publish, 'london/app', '1.0', 'tokyo secret')).status, 201, 'london has the same bytes, its own way')
  await london.engine('london').exchange()
  t.equal((await fetchText(tokyo, '/api/v1/repos/london/app/images/1.0/content')).body, 'tokyo secret', 'tokyo serves london/app')
  t.equal((await linkStatus(tokyo, 'incoming', 'london')).bytes.in - before, 'tokyo secret'.length, 'the blob was uploaded, once')
  const blobs = tokyo.gw.service<FileBlobStore>('blobStore')!
  t.same(readdirSync(join(blobs.dir, 'sha256', secret.slice(0, 2))), [secret], 'and is stored once')
  t.equal(await blobs.partialSize(secret), 0, 'no partial copy left')
  t.equal((await fetchText(tokyo, '/api/v1/repos/tokyo/secret/images/1.0/content')).body, 'tokyo secret', 'tokyo/secret served as before')

  t.equal((await head(secret)).status, 200, 'now london/app references it: held')
  t.same(await ask([secret, unknown]), { [unknown]: 0 }, 'POST: only the unknown one missing')
})
