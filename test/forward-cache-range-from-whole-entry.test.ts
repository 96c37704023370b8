// A Range request is answered from a whole cached entry (206, or 416 beyond its end), and the client's
// conditionals get 304 from it; with no entry, a Range or HEAD request passes through to the root
// untouched and nothing partial is stored.
import t from 'tap'
import { cacheOf, startChildWithOrigin } from './helpers/child-site.ts'
import { fetchText } from './helpers/sites.ts'

const BODY = 'abcdefghijklmnopqrstuvwxyz'

t.test('Range: from a whole entry, or passed through', async (t) => {
  const seen: { method: string; range?: string }[] = []
  const { site } = await startChildWithOrigin(t, 'cache-range', {
    extra: 'forward: { cache: { enabled: true } }\n',
    handler: (req, res) => {
      if (!req.url!.startsWith('/api/')) return res.end('ok')
      seen.push({ method: req.method!, range: req.headers.range })
      const headers = { 'content-type': 'text/plain', 'cache-control': 'max-age=600', etag: '"abc"', 'accept-ranges': 'bytes' }
      if (req.headers.range === 'bytes=0-2') {
        res.writeHead(206, { ...headers, 'content-range': `bytes 0-2/${BODY.length}`, 'content-length': 3 })
        return res.end(BODY.slice(0, 3))
      }
      res.writeHead(200, headers)
      res.end(req.method === 'HEAD' ? undefined : BODY)
    },
  })
  const path = '/api/v1/blobs/letters'
  const cold = await fetchText(site, path, { headers: { range: 'bytes=0-2' } })
  t.equal(cold.status, 206, 'a cold Range request is passed through')
  t.equal(cold.body, 'abc')
  t.same(seen.at(-1), { method: 'GET', range: 'bytes=0-2' }, 'with its Range')
  const head = await fetchText(site, path, { method: 'HEAD' })
  t.equal(head.status, 200)
  t.equal(seen.at(-1)!.method, 'HEAD', 'a cold HEAD is passed through')
  t.equal(cacheOf(site).entries, 0, 'nothing partial was stored')

  t.equal((await fetchText(site, path)).body, BODY, 'a GET fills the entry')
  const asked = seen.length
  const part = await fetchText(site, path, { headers: { range: 'bytes=3-5' } })
  t.equal(part.status, 206)
  t.equal(part.body, 'def')
  t.equal(part.headers['content-range'], `bytes 3-5/${BODY.length}`)
  const tail = await fetchText(site, path, { headers: { range: 'bytes=-4' } })
  t.equal(tail.body, 'wxyz')
  const beyond = await fetchText(site, path, { headers: { range: 'bytes=100-' } })
  t.equal(beyond.status, 416)
  t.equal(beyond.headers['content-range'], `bytes */${BODY.length}`)
  const several = await fetchText(site, path, { headers: { range: 'bytes=0-1,4-5' } })
  t.equal(several.status, 200, 'several ranges: the whole answer')
  t.equal(several.body, BODY)
  const notModified = await fetchText(site, path, { headers: { 'if-none-match': '"abc"' } })
  t.equal(notModified.status, 304, 'the client\'s If-None-Match answered from the entry')
  const cachedHead = await fetchText(site, path, { method: 'HEAD' })
  t.equal(cachedHead.headers['content-length'], String(BODY.length))
  t.equal(seen.length, asked, 'none of these reached the root')
})
