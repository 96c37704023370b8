import t from 'tap'
import { startOrigin, startSite, childYaml, writeSecret, tempDir, fetchText } from './helpers/sites.ts'
import { storeImage } from './helpers/stores.ts'
import type { FileBlobStore } from '../plugins/hub/store/blob-store.ts'
import type { IndexedRepositoryStore } from '../plugins/hub/store/repository-store.ts'

t.test('a child answers the repositories and blobs it holds from its store and forwards everything else', async (t) => {
  const origin = await startOrigin(t, (req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ forwarded: req.url }))
  })
  const dir = tempDir(t)
  writeSecret(dir, 'root.key', 'fgk_test_' + 'k'.repeat(32))
  const site = await startSite(t, childYaml('tokyo', origin.url), { dir })
  const repos = site.gw.service<IndexedRepositoryStore>('repositoryStore')!
  const blobs = site.gw.service<FileBlobStore>('blobStore')!
  const image = await storeImage(blobs, 'held bytes')
  const other = await storeImage(blobs, 'stored but not referenced')
  await repos.commit('acme/app', { tags: { latest: image.id }, images: { [image.id]: image } })

  const held = await fetchText(site, '/api/v1/repos/acme/app')
  t.equal(held.status, 200, 'reads need no key at a child by default')
  t.equal(JSON.parse(held.body).tags.latest, image.id)
  t.equal((await fetchText(site, `/api/v1/blobs/sha256:${image.id}`)).body, 'held bytes')
  t.equal(origin.seen.filter((s) => s.url.startsWith('/api/')).length, 0, 'the root was not asked')

  for (const path of ['/api/v1/repos/acme/other', `/api/v1/blobs/sha256:${other.id}`]) {
    const res = await fetchText(site, path)
    t.same(JSON.parse(res.body), { forwarded: path }, `${path} is forwarded`)
  }
})
