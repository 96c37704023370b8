// The links page lists the site's outgoing links with their state, mode and last exchange (from the
// federation plugin's /health section).
import t from 'tap'
import { tempDir } from './helpers/sites.ts'
import { startLinked } from './helpers/links.ts'
import { launchBrowser, openAdmin, signIn } from './helpers/browser.ts'
import type { KeyRing } from '../plugins/hub/keys.ts'

t.test('the links page shows each link and its state', async (t) => {
  const dir = tempDir(t)
  const tokyo = await startLinked(t, 'tokyo', { dir, owns: ['tokyo/*'] })
  const token = (await tokyo.links.create({ name: 'london', repositories: ['tokyo/*', 'london/*'], mode: 'mirror' })).token
  const london = await startLinked(t, 'london', { dir, owns: ['london/*'], links: [{ name: 'london', url: tokyo.url, token, mode: 'mirror', repositories: ['tokyo/*', 'london/*'] }] })
  await london.engine('london').exchange()
  const admin = (await london.gw.service<KeyRing>('keys')!.create({ name: 'ops', scope: 'admin' })).key
  const browser = await launchBrowser(t)
  const a = await openAdmin(browser, london)
  await signIn(a, admin)
  await a.page.goto(`${london.url}/admin/links`)
  const row = await a.page.waitForSelector('#links tbody tr:has(th:text-is("london (outgoing)"))', { timeout: 20_000 })
  t.equal(await row.$eval('td', (td) => td.textContent), 'ok', 'the link is ok after an exchange')
  t.match(await row.$$eval('td', (tds) => tds[1]?.textContent ?? ''), /mode: mirror.*lastExchange: /, 'with its mode and last exchange')
})
