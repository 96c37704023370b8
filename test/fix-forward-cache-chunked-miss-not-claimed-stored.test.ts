// A miss streams to its client while it is stored, so its head leaves before the body is whole. A chunked
// answer (no Content-Length) can still prove too large to store after that (past maxEntryBytes), yet its
// head had said `Cache-Status: …; fwd=miss; stored`. Its size unknown when the head leaves, it no longer
// claims `stored` (RFC 9211: only a cache that stored the answer says so); an answer with a
// Content-Length is judged by it before the head leaves and says `stored` as before.
import t from 'tap'
import { request } from 'undici'
import { cacheOf, startChildWithOrigin } from './helpers/child-site.ts'

const MiB = 1024 * 1024
const BIG = Buffer.alloc(3 * MiB, 0x61) // past maxEntryBytes (1 MiB)

t.test('a chunked miss does not say stored in its Cache-Status before it is', async (t) => {
  const { site } = await startChildWithOrigin(t, 'cache-honest', {
    extra: 'forward: { cache: { enabled: true, maxEntryBytes: 1MiB } }\n',
    handler: (req, res) => {
      const url = req.url!
      const sized = url.endsWith('/sized')
      if (!url.startsWith('/api/')) return res.end('ok')
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'cache-control': 'max-age=600', ...(sized ? { 'content-length': 5 } : {}) })
      if (sized) return res.end('small')
      // Written in pieces, no Content-Length: the size shows only as it arrives.
      for (let at = 0; at < BIG.length; at += 256 * 1024) res.write(BIG.subarray(at, at + 256 * 1024))
      res.end()
    },
  })
  const get = async (path: string) => {
    const res = await request(site.url + path, { dispatcher: site.agent })
    const body = Buffer.from(await res.body.arrayBuffer())
    return { status: res.statusCode, cacheStatus: String(res.headers['cache-status']), body }
  }

  const chunked = await get('/api/v1/blobs/chunked')
  t.equal(chunked.status, 200)
  t.ok(chunked.body.equals(BIG), 'the whole answer, uncached')
  t.match(chunked.cacheStatus, /^cache-honest; fwd=miss; ttl=\d+$/, 'a chunked miss: fetched, not claimed stored')
  t.equal(cacheOf(site).entries, 0, 'and indeed not stored')

  const sized = await get('/api/v1/blobs/sized')
  t.match(sized.cacheStatus, /^cache-honest; fwd=miss; stored; ttl=\d+$/, 'a miss with a Content-Length within bounds still says stored')
  t.equal(cacheOf(site).entries, 1)
})
