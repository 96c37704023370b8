// The overview shows the forward cache's figures (entries, bytes on disk and in memory against their
// bounds, hits, misses) in a real browser, and follows them without a reload: a first forwarded read
// shows as a miss that stored an entry, the same read again as a hit.
import t from 'tap'
import { startChildWithOrigin } from './helpers/child-site.ts'
import { fetchText } from './helpers/sites.ts'
import { adminKeyOf } from './helpers/hub.ts'
import { launchBrowser, openAdmin, signIn } from './helpers/browser.ts'

t.test('the overview shows the forward cache moving, live', async (t) => {
  const { site } = await startChildWithOrigin(t, 'admin-cache', {
    extra: 'forward: { cache: { enabled: true, diskBytes: 10MiB, memoryBytes: 1MiB } }\n',
    handler: (req, res) => {
      // Only the test's reads are cacheable: the browser's own (its favicon, say) pass through unstored.
      const cacheable = req.url!.startsWith('/files/')
      res.writeHead(cacheable ? 200 : 404, { 'content-type': 'text/plain', 'cache-control': cacheable ? 'public, max-age=300' : 'no-store' })
      res.end(cacheable ? 'x'.repeat(5000) : '')
    },
  })
  const browser = await launchBrowser(t)
  const a = await openAdmin(browser, site)
  await signIn(a, await adminKeyOf(site))
  const shows = (id: string, text: string) => a.page.waitForFunction(([i, s]) => document.getElementById(i!)?.textContent === s, [id, text], { timeout: 20_000 })

  await shows('cache-entries', '0')
  t.equal(await a.page.textContent('#cache-hits'), '0')
  t.equal(await a.page.textContent('#cache-misses'), '0')
  t.match(await a.page.textContent('#cache-disk'), /^0 B of 10\.0 MB/, 'bytes on disk against the disk bound')
  t.match(await a.page.textContent('#cache-memory'), /^0 B of 1\.0 MB/, 'bytes in memory against the memory bound')

  t.equal((await fetchText(site, '/files/a.txt')).status, 200)
  await shows('cache-misses', '1')
  await shows('cache-entries', '1')
  t.pass('a miss that stored an entry, without a reload')
  t.match(await a.page.textContent('#cache-disk'), /^[1-9][\d.]* KB of 10\.0 MB/, 'its bytes on disk')
  t.equal(await a.page.textContent('#cache-hits'), '0')

  t.equal((await fetchText(site, '/files/a.txt')).status, 200)
  await shows('cache-hits', '1')
  t.pass('then a hit')
  t.equal(await a.page.textContent('#cache-misses'), '1', 'no new miss')
})
