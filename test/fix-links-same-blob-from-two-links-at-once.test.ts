// Two links upload the same blob to one site at once (a triangle's two other sides, or two branches
// publishing the same bytes): the second asked what the site kept while the first was half way, and
// resumes from there. By its turn the first has finished and its part is gone. The second's upload is
// refused (409) rather than appended to nothing, and its sender, told the part moved, sends the blob
// whole; its exchange completes, the blob verifies and is stored once, no part is left behind.
import t from 'tap'
import { PassThrough } from 'node:stream'
import { request } from 'undici'
import { LINK_PREFIX, OFFSET_HEADER, SIZE_HEADER } from '../plugins/federation/wire.ts'
import type { FileBlobStore } from '../plugins/hub/store/blob-store.ts'
import { bearer, publish } from './helpers/hub.ts'
import { startLinked } from './helpers/links.ts'
import { fetchText, tempDir } from './helpers/sites.ts'
import { blobBytes, sha256, waitFor } from './helpers/sync.ts'

t.test('a second link resuming a blob the first just finished sends it whole, and its exchange completes', async (t) => {
  const dir = tempDir(t)
  const hub = await startLinked(t, 'hub', { dir, owns: ['hub/*'], requestLog: true })
  const tokenA = (await hub.links.create({ name: 'a', repositories: ['a/*'], mode: 'push' })).token
  const tokenB = (await hub.links.create({ name: 'b', repositories: ['b/*'], mode: 'push' })).token
  const size = 2 * 1024 * 1024
  const bytes = blobBytes(size, 3)
  const id = sha256(bytes)
  const blobs = hub.gw.service<FileBlobStore>('blobStore')!

  // Link a's upload of the blob, half sent and held open.
  const body = new PassThrough()
  const first = request(`${hub.url}${LINK_PREFIX}/blobs/sha256:${id}`, {
    method: 'PUT',
    dispatcher: hub.agent,
    headers: { ...bearer(tokenA), [OFFSET_HEADER]: '0', [SIZE_HEADER]: String(size), 'content-type': 'application/octet-stream' },
    body,
  })
  body.write(bytes.subarray(0, size / 2))
  await waitFor('the hub kept half the blob', async () => (await blobs.partialSize(id)) === size / 2)

  // Site b publishes the same bytes; its link asks what the hub lacks (the blob, half of it kept) and
  // resumes from the half, while link a's write still runs.
  const b = await startLinked(t, 'b', { dir, owns: ['b/*'], links: [{ name: 'b', url: hub.url, token: tokenB, mode: 'push', repositories: ['b/*'] }] })
  t.equal((await publish(b, b.publish, 'b/app', '1.0', bytes)).status, 201)
  // The publish starts link b's exchange (a link that uploads goes at once on a commit); the hub
  // answered its question (what it lacks: the blob, half kept), and b's upload from the half follows.
  t.equal((await hub.logs.waitFor((l) => l.msg === 'request' && l.method === 'POST' && l.path === `${LINK_PREFIX}/blobs`)).length, 1, 'the hub answered what it lacks')

  // Link a finishes: the blob is whole at the hub, its part gone.
  body.end(bytes.subarray(size / 2))
  const res = await first
  t.equal(res.statusCode, 201, 'link a stored the blob')
  await res.body.dump()

  await waitFor('the hub serves b/app:1.0', async () => (await fetchText(hub, '/api/v1/repos/b/app/images/1.0/content')).status === 200)
  // That exchange itself succeeded: two hellos (b's start, then its publish), not a failed one and a retry.
  const hello = (l: Record<string, unknown>) => l.msg === 'request' && l.path === `${LINK_PREFIX}/hello`
  await hub.logs.waitFor(hello, 2)
  t.equal(hub.logs.lines().filter(hello).length, 2, 'link b needed no second try')
  t.equal((await fetchText(hub, '/api/v1/repos/b/app/images/1.0/content')).status, 200, 'the hub serves b/app:1.0')
  const got = await request(`${hub.url}/api/v1/repos/b/app/images/1.0/content`, { dispatcher: hub.agent })
  t.equal(sha256(Buffer.from(await got.body.arrayBuffer())), id, 'the blob verifies')
  t.equal(await blobs.partialSize(id), 0, 'no part of the blob is left behind')
})
