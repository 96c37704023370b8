// The root drops the connection in the middle of a cacheable body: the client gets the catalogue's
// 502 (not a 500, not a part of the body), nothing is stored, and the next request asks the root again.
import t from 'tap'
import { cacheOf, startChildWithOrigin } from './helpers/child-site.ts'
import { fetchText } from './helpers/sites.ts'

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
    const r = await fetchText(site, '/api/v1/blobs/cut')
    t.equal(r.status, 502, `request ${i}: the catalogue's answer for a broken root response`)
    t.match(JSON.parse(r.body), { error: { code: 'GW_ERR_ROOT_BAD_RESPONSE' } })
    t.equal(asked, i, 'the root was asked again')
  }
  t.equal(cacheOf(site).entries, 0, 'nothing stored')
})
