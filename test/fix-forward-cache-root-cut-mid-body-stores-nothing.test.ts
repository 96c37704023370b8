// The root drops the connection in the middle of a cacheable body: the client's answer, streamed as it
// is stored, is cut (never a whole answer, nor a 500), nothing is stored, and the next request asks the
// root again.
import t from 'tap'
import { request } from 'undici'
import { cacheOf, startChildWithOrigin } from './helpers/child-site.ts'

t.test('a body cut by the root is never stored', async (t) => {
  let asked = 0
  const { site } = await startChildWithOrigin(t, 'cache-cut', {
    extra: 'forward: { cache: { enabled: true } }\n',
    handler: (req, res) => {
      if (!req.url!.startsWith('/api/')) return res.end('ok')
      asked++
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'cache-control': 'max-age=600', 'content-length': 100_000 })
      res.write(Buffer.alloc(50_000, 1), () => res.socket?.destroy())
    },
  })
  for (let i = 1; i <= 2; i++) {
    const outcome = await request(site.url + '/api/v1/blobs/cut', { dispatcher: site.agent }).then(
      (r) => (r.statusCode === 500 ? 'internal error' : r.body.arrayBuffer().then((b) => `whole ${b.byteLength} bytes`, () => 'cut')),
      () => 'cut',
    )
    t.equal(outcome, 'cut', `request ${i}: the client's answer is cut`)
    t.equal(asked, i, 'the root was asked again')
  }
  t.equal(cacheOf(site).entries, 0, 'nothing stored')
})
