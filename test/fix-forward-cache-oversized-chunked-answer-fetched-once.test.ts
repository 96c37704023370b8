// An answer too large to store that the cache learns is too large only while storing it (chunked,
// without Content-Length, past maxEntryBytes; or, once whole, past what diskBytes could ever hold) was
// dropped and the request forwarded again: the root sent it twice for every read. It now passes through
// uncached from the one root request: the bytes read while storing, then the rest.
import t from 'tap'
import { request } from 'undici'
import { cacheOf, startChildWithOrigin } from './helpers/child-site.ts'

const MiB = 1024 * 1024
const pattern = (n: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 7 + (i >> 12)) % 251))
const CHUNKED = pattern(3 * MiB) // past maxEntryBytes (1 MiB)
const NEAR_BOUND = pattern(MiB - 100) // within maxEntryBytes by its Content-Length, but with its metadata past diskBytes

t.test('an answer found too large while stored is fetched once per read', async (t) => {
  const asked = new Map<string, number>()
  const { site } = await startChildWithOrigin(t, 'cache-oversized', {
    extra: 'forward: { cache: { enabled: true, diskBytes: 1MiB, maxEntryBytes: 1MiB } }\n',
    handler: (req, res) => {
      const url = req.url!
      asked.set(url, (asked.get(url) ?? 0) + 1)
      if (url === '/api/v1/blobs/chunked') {
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'cache-control': 'max-age=600' })
        // Written in pieces, no Content-Length: the size shows only as it arrives.
        for (let at = 0; at < CHUNKED.length; at += 256 * 1024) res.write(CHUNKED.subarray(at, at + 256 * 1024))
        return res.end()
      }
      if (url === '/api/v1/blobs/near-bound') {
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'cache-control': 'max-age=600', 'content-length': NEAR_BOUND.length })
        return res.end(NEAR_BOUND)
      }
      res.end('ok')
    },
  })
  const get = async (path: string) => {
    const res = await request(site.url + path, { dispatcher: site.agent })
    return { status: res.statusCode, body: Buffer.from(await res.body.arrayBuffer()) }
  }
  for (const [path, body] of [['/api/v1/blobs/chunked', CHUNKED], ['/api/v1/blobs/near-bound', NEAR_BOUND]] as const) {
    for (let i = 1; i <= 2; i++) {
      const got = await get(path)
      t.equal(got.status, 200)
      t.ok(got.body.equals(body), `${path}: read ${i} got the whole answer, in order`)
      t.equal(asked.get(path), i, `${path}: the root was asked once per read`)
    }
  }
  const c = cacheOf(site)
  t.equal(c.entries, 0, 'nothing was stored')
  t.equal(c.notStored, 4)
  t.equal(c.alone, 0, 'no read was forwarded again')
})
