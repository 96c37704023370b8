// An answer that varies (Verdaccio's packuments say `Vary: Accept-Encoding`) was stored, but which
// headers a URL's answers vary by was kept only in memory: after a restart the entry was never found
// again, so with the root down the read failed. The index is now rebuilt from the stored entries.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { startChildWithOrigin } from './helpers/child-site.ts'
import { fetchText, startSite } from './helpers/sites.ts'

t.test('a varying answer stored before a restart is served after it, the root stopped', async (t) => {
  const { origin, site } = await startChildWithOrigin(t, 'cache-vary-restart', {
    extra: 'forward: { cache: { enabled: true } }\n',
    handler: (req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'public, max-age=300', vary: 'Accept-Encoding' })
      res.end(JSON.stringify({ path: req.url, encoding: req.headers['accept-encoding'] ?? null }))
    },
  })
  const get = (s: typeof site) => fetchText(s, '/api/v1/packages/pkg-x', { headers: { 'accept-encoding': 'identity' } })
  const first = await get(site)
  t.match(first.headers['cache-status'], /fwd=miss/) // chunked (no Content-Length): not claimed stored as its head leaves
  t.match((await get(site)).headers['cache-status'], /; hit;/, 'found again before the restart')
  await site.gw.close()

  const again = await startSite(t, readFileSync(join(site.dir, 'site.yaml'), 'utf8'), { dir: site.dir })
  await origin.close()
  const after = await get(again)
  t.equal(after.status, 200, 'served after the restart with the root stopped')
  t.equal(after.body, first.body)
  t.match(after.headers['cache-status'], /; hit;/)
})
