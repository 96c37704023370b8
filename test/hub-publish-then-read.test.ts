import t from 'tap'
import { fetchText } from './helpers/sites.ts'
import { bearer, publish, startRoot } from './helpers/hub.ts'
import { sha256 } from './helpers/stores.ts'

t.test('a published image is served: repository info, image by tag and by digest, content, blob', async (t) => {
  const root = await startRoot(t)
  const bytes = Buffer.alloc(300_000, 'firefox')
  const id = sha256(bytes)
  const put = await publish(root, root.publish, 'acme/firefox', '64.0', bytes, { 'x-content-digest': `sha256:${id}` })
  t.equal(put.status, 201)
  t.match(put.body, { id, size: bytes.length, digest: `sha256:${id}`, tags: ['64.0', 'latest'] })

  const info = await fetchText(root, '/api/v1/repos/acme/firefox', { headers: bearer(root.read) })
  t.equal(info.status, 200)
  const state = JSON.parse(info.body)
  t.same(state.tags, { '64.0': id, latest: id })
  t.equal(state.images[id].size, bytes.length)
  t.equal(info.headers.etag, `"r${state.revision}-${info.headers['fedgate-store']}"`)

  const byTag = JSON.parse((await fetchText(root, '/api/v1/repos/acme/firefox/images/64.0', { headers: bearer(root.read) })).body)
  const byDigest = JSON.parse((await fetchText(root, `/api/v1/repos/acme/firefox/images/sha256:${id}`, { headers: bearer(root.read) })).body)
  t.same(byTag, byDigest)
  t.equal(byTag.digest, `sha256:${id}`)

  for (const path of [`/api/v1/blobs/sha256:${id}`, '/api/v1/repos/acme/firefox/images/latest/content']) {
    const res = await fetchText(root, path, { headers: bearer(root.read) })
    t.equal(res.status, 200, path)
    t.equal(res.body, bytes.toString(), 'the same bytes')
    t.equal(res.headers.etag, `"sha256:${id}"`)
    t.equal(res.headers['cache-control'], 'private, max-age=31536000, immutable', 'answered after a key check: private')
  }

  // A second tag on other bytes, without moving latest.
  const r = await fetchText(root, '/api/v1/repos/acme/firefox/images/65.0-beta?latest=false', { method: 'PUT', headers: bearer(root.publish), body: 'beta bytes' })
  t.equal(r.status, 201)
  const tags = JSON.parse((await fetchText(root, '/api/v1/repos/acme/firefox', { headers: bearer(root.read) })).body).tags
  t.same(tags, { '64.0': id, latest: id, '65.0-beta': sha256('beta bytes') })

  const missing = await fetchText(root, '/api/v1/repos/acme/nothing', { headers: bearer(root.read) })
  t.equal(missing.status, 404)
  t.equal(JSON.parse(missing.body).error.code, 'GW_ERR_NOT_FOUND')
  const anonymous = await fetchText(root, '/api/v1/repos/acme/firefox')
  t.equal(anonymous.status, 401, 'reads need a key at a root by default')
})
