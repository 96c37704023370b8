// Publish at a root, the child syncs, then the root stops: the child still answers the repository and
// its blobs from its own store, with ETag/304, Range/206 and HEAD.
import t from 'tap'
import { tempDir, fetchText } from './helpers/sites.ts'
import { startRoot, startChild, publish, inSync, blobBytes, sha256 } from './helpers/sync.ts'
import { request } from 'undici'

t.test('a synchronized repository is served with no upstream contact', async (t) => {
  const dir = tempDir(t)
  const root = await startRoot(t, dir)
  const bytes = blobBytes(300 * 1024, 1)
  const id = await publish(root, 'acme/app:1.0', bytes)
  const child = await startChild(t, dir, 'branch', root.url, root.readKey, 'repositories: [acme/app]\n')
  await inSync(child, 'acme/app')
  await root.gw.close()

  const repo = await fetchText(child, '/api/v1/repos/acme/app')
  t.equal(repo.status, 200, 'repository info from the child')
  const info = JSON.parse(repo.body) as { tags: Record<string, string> }
  t.same(info.tags, { '1.0': id, latest: id })

  const blob = await request(`${child.url}/api/v1/blobs/sha256:${id}`, { dispatcher: child.agent })
  const got = Buffer.from(await blob.body.arrayBuffer())
  t.equal(blob.statusCode, 200)
  t.equal(sha256(got), id, 'the bytes match their digest')
  const etag = String(blob.headers.etag)
  t.equal(etag, `"sha256:${id}"`)

  const cached = await fetchText(child, `/api/v1/blobs/sha256:${id}`, { headers: { 'if-none-match': etag } })
  t.equal(cached.status, 304, 'If-None-Match → 304')

  const part = await request(`${child.url}/api/v1/blobs/sha256:${id}`, { headers: { range: 'bytes=100-199' }, dispatcher: child.agent })
  const partBytes = Buffer.from(await part.body.arrayBuffer())
  t.equal(part.statusCode, 206, 'Range → 206')
  t.equal(part.headers['content-range'], `bytes 100-199/${bytes.length}`)
  t.ok(partBytes.equals(bytes.subarray(100, 200)))

  const head = await request(`${child.url}/api/v1/repos/acme/app/images/1.0/content`, { method: 'HEAD', dispatcher: child.agent })
  await head.body.dump()
  t.equal(head.statusCode, 200, 'HEAD by tag')
  t.equal(Number(head.headers['content-length']), bytes.length)

  const served = await child.logs.waitFor((l) => l.msg === 'request' && String(l.path).startsWith('/api/v1/'), 5)
  t.ok(served.length >= 5)
  t.notOk(served.some((l) => l.route === 'forward' || l.upstream), 'no request went upstream')
  t.notOk(child.logs.text.includes(root.readKey), 'the child\'s key is in no log line')
})
