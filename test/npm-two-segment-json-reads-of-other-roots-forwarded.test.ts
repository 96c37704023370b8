// A child serves npm's registry protocol by default, and a JSON read of `/x/y` has a version document's
// shape. A root that is not a registry has such paths of its own (`/api/status`, `/files/latest`): those
// are forwarded and answered as the root answers them, whatever the status. Only a scoped name or a
// version-like second part (`/left-pad/1.0.0`) is read as a version document when the package is not
// synchronized here (fix-npm-version-documents-tarballs-through-site).
import t from 'tap'
import { startChildWithOrigin } from './helpers/child-site.ts'
import { fetchText } from './helpers/sites.ts'

t.test("a JSON read of /x/y that is not a version goes to the root and comes back as the root answered", async (t) => {
  const { origin, site } = await startChildWithOrigin(t, 'plain-root', {
    handler: (req, res) => {
      const found = req.url === '/api/status'
      res.writeHead(found ? 200 : 404, { 'content-type': 'application/json', 'cache-control': 'no-store' })
      res.end(JSON.stringify(found ? { status: 'green', nodes: 3 } : { message: `no ${req.url} here` }))
    },
  })
  const json = { accept: 'application/json' }

  const status = await fetchText(site, '/api/status', { headers: json })
  t.equal(status.status, 200)
  t.same(JSON.parse(status.body), { status: 'green', nodes: 3 }, "the root's own JSON, as it wrote it")

  const missing = await fetchText(site, '/files/latest', { headers: json })
  t.equal(missing.status, 404)
  t.same(JSON.parse(missing.body), { message: 'no /files/latest here' }, "the root's own 404 body")
  t.same(
    origin.seen.map((r) => r.url).filter((u) => u !== '/health'),
    ['/api/status', '/files/latest'],
    'each asked of the root once, at its own path (besides its health probes)',
  )
})
