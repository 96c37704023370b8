// The tunnels page shows each tunnel path's open tunnels, its refusals by reason, and the addresses
// throttled after repeated bad tokens (from /health's tunnel section).
import t from 'tap'
import { startAdminSite } from './helpers/admin-site.ts'
import { launchBrowser, openAdmin, signIn } from './helpers/browser.ts'

t.test('the tunnels page shows refusals and throttled addresses', async (t) => {
  // Three bad tokens from 127.0.0.1 with failures.limit 2: two refused for the token, one throttled.
  const { child, admin } = await startAdminSite(t)
  const browser = await launchBrowser(t)
  const a = await openAdmin(browser, child)
  await signIn(a, admin)
  await a.page.goto(`${child.url}/admin/tunnels`)
  const row = await a.page.waitForSelector('#tunnels tbody tr:has(th:text-is("/federation"))', { timeout: 20_000 })
  const cells = await row.$$eval('td', (tds) => tds.map((td) => td.textContent))
  t.match(cells[0], /^ws:\/\/127\.0\.0\.1:\d+/, 'its upstream')
  t.equal(cells[1], '0', 'none open')
  t.equal(cells[3], '3', 'three refused')
  t.equal(cells[4], '1', 'one of them throttled')
  t.equal(cells[5], '2', 'two for a bad token')
  t.match(cells[6], /^127\.0\.0\.1 \(\d+ s\)$/, 'the throttled address and its wait')
})
