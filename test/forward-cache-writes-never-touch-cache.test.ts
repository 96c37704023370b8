// Writes (forward.allowWrites) never go through the cache: each reaches the root with the client's own
// credentials, none is answered from an entry or stored, and one the root accepted makes the cached
// answer for its target go, so the next read asks the root.
import t from 'tap'
import { cacheOf, startChildWithOrigin } from './helpers/child-site.ts'
import { fetchText } from './helpers/sites.ts'

t.test('writes pass by the cache and invalidate the target', async (t) => {
  let state = 'first'
  const seen: { method: string; authorization?: string }[] = []
  const { site, key } = await startChildWithOrigin(t, 'cache-writes', {
    extra: 'forward: { allowWrites: true, cache: { enabled: true } }\n',
    handler: (req, res) => {
      if (!req.url!.startsWith('/api/')) return res.end('ok')
      seen.push({ method: req.method!, authorization: req.headers.authorization })
      let body = ''
      req.on('data', (c: Buffer) => (body += c.toString()))
      req.on('end', () => {
        if (req.method === 'PUT') state = body
        res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'max-age=600' })
        res.end(req.method === 'PUT' ? 'stored' : state)
      })
    },
  })
  const path = '/api/v1/repos/acme/doc'
  t.equal((await fetchText(site, path)).body, 'first')
  t.equal((await fetchText(site, path)).body, 'first')
  t.equal(seen.length, 1, 'the read is cached')

  for (let i = 0; i < 2; i++) {
    const put = await fetchText(site, path, { method: 'PUT', body: 'second', headers: { authorization: 'Bearer client-own' } })
    t.equal(put.status, 200)
    t.equal(put.body, 'stored')
    t.notOk(put.headers['cache-status'], 'not answered from the cache')
  }
  t.same(seen.slice(1).map((s) => `${s.method} ${s.authorization}`), ['PUT Bearer client-own', 'PUT Bearer client-own'], 'each write reached the root with the client\'s credentials')
  t.not(seen[0]!.authorization, 'Bearer client-own')
  t.equal(seen[0]!.authorization, `Bearer ${key}`, 'the read went with the site key')

  const after = await fetchText(site, path)
  t.equal(after.body, 'second', 'the next read asks the root again')
  t.equal(seen.length, 4)
  t.equal(cacheOf(site).entries, 1, 'only the read answer is stored')
})
