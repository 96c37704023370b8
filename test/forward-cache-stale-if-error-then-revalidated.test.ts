// A stale entry is revalidated with If-None-Match (a 304 refreshes it); while the root is down or
// answers 5xx it is served anyway, marked stale (Cache-Status: …; detail=stale), and once the root is
// back it is revalidated again.
import t from 'tap'
import { startChildWithOrigin } from './helpers/child-site.ts'
import { fetchText } from './helpers/sites.ts'

t.test('stale served while the root fails, revalidated once it is back', async (t) => {
  let failing = false
  const conditional: (string | undefined)[] = []
  const { origin, site } = await startChildWithOrigin(t, 'cache-stale', {
    extra: 'forward: { cache: { enabled: true, defaults: { staleIfError: 1h } } }\n',
    handler: (req, res) => {
      if (!req.url!.startsWith('/api/')) return res.end('ok')
      conditional.push(req.headers['if-none-match'])
      if (failing) {
        res.writeHead(500)
        return res.end('broken')
      }
      if (req.headers['if-none-match'] === '"v1"') {
        res.writeHead(304, { etag: '"v1"', 'cache-control': 'max-age=0' })
        return res.end()
      }
      res.writeHead(200, { 'content-type': 'text/plain', etag: '"v1"', 'cache-control': 'max-age=0' })
      res.end('version one')
    },
  })
  const path = '/api/v1/repos/acme/tool'
  const first = await fetchText(site, path)
  t.equal(first.body, 'version one')
  const again = await fetchText(site, path)
  t.equal(again.body, 'version one')
  t.match(again.headers['cache-status'], /fwd=stale; fwd-status=304/, 'revalidated with a 304')
  t.same(conditional, [undefined, '"v1"'], 'the second request to the root was conditional')

  failing = true
  const on5xx = await fetchText(site, path)
  t.equal(on5xx.status, 200, 'a 5xx from the root is replaced by the stale entry')
  t.equal(on5xx.body, 'version one')
  t.match(on5xx.headers['cache-status'], /; hit; ttl=-\d+; detail=stale/, 'marked stale')

  await origin.close()
  const down = await fetchText(site, path)
  t.equal(down.status, 200, 'served with the root down')
  t.equal(down.body, 'version one')
  t.match(down.headers['cache-status'], /detail=stale/)

  failing = false
  await new Promise<void>((r) => origin.server.listen(origin.port, '127.0.0.1', r))
  t.teardown(() => origin.server.close())
  const back = await fetchText(site, path)
  t.equal(back.status, 200)
  t.match(back.headers['cache-status'], /fwd-status=304/, 'revalidated once the root is back')
  t.equal(conditional.at(-1), '"v1"')

  const lines = await site.logs.waitFor((l) => l.msg === 'request' && l.path === path, 5)
  t.same(lines.map((l) => l.cache), ['miss', 'revalidated', 'stale', 'stale', 'revalidated'])
})
