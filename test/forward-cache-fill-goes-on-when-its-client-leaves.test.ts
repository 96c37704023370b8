// The client that caused a fill may leave mid-body (a cancelled download, a timeout): the fill is the
// cache's, not that client's, so the root's answer is still read to its end and stored. The root sends
// half the body and holds the rest until the client has read bytes through the gateway and gone; the
// next read is then a hit with the whole body, and the root was asked once.
import t from 'tap'
import { request } from 'undici'
import { cacheOf, startChildWithOrigin } from './helpers/child-site.ts'

const HALF = 256 * 1024
const BODY = Buffer.from(Array.from({ length: 2 * HALF }, (_, i) => (i * 5 + (i >> 9)) % 251))

t.test('a fill goes on to the stored entry when its client leaves mid-body', async (t) => {
  let asked = 0
  let release!: () => void
  const rest = new Promise<void>((r) => (release = r))
  t.teardown(() => release())
  const { site } = await startChildWithOrigin(t, 'cache-leave', {
    extra: 'forward: { cache: { enabled: true, memoryBytes: 0 } }\n',
    handler: (req, res) => {
      if (!req.url!.startsWith('/api/')) return res.end('ok')
      asked++
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'cache-control': 'max-age=600', 'content-length': BODY.length })
      res.write(BODY.subarray(0, HALF))
      void rest.then(() => res.end(BODY.subarray(HALF)))
    },
  })
  const path = '/api/v1/blobs/left'
  const ac = new AbortController()
  const res = await request(site.url + path, { dispatcher: site.agent, signal: ac.signal })
  t.equal(res.statusCode, 200)
  const first = (await res.body[Symbol.asyncIterator]().next()) as IteratorResult<Buffer>
  t.notOk(first.done, 'the client got the first bytes')
  // The client leaves; the root sends the rest once the gateway has logged the request as left (499).
  res.body.on('error', () => {})
  ac.abort()
  const left = await site.logs.waitFor((l) => l.msg === 'request' && l.path === path)
  t.equal(left[0]?.status, 499, 'the gateway saw its client leave')
  release()
  // The fill ends by itself: wait for the entry (bounded), without asking for it meanwhile.
  for (let i = 0; i < 200 && cacheOf(site).entries === 0; i++) await new Promise((r) => setTimeout(r, 25))
  t.equal(cacheOf(site).entries, 1, 'the entry was stored after its client left')
  const again = await request(site.url + path, { dispatcher: site.agent })
  const body = Buffer.from(await again.body.arrayBuffer())
  t.match(String(again.headers['cache-status']), /; hit; /, 'the next read is a hit')
  t.ok(body.equals(BODY), 'with the whole body')
  t.equal(asked, 1, 'the root was asked once')
})
