// The links page lists each ownership conflict (docs/federation.md, "Ownership learnt late": repository,
// tag, the value's digest and size, the owner, when it was set aside) and dismisses one with a click:
// the row goes, the other stays, and the site no longer lists it. The table passes axe-core.
import t from 'tap'
import { healthOf } from './helpers/hub.ts'
import { ownershipConflictAtTokyo } from './helpers/links.ts'
import { launchBrowser, openAdmin, seriousViolations, signIn } from './helpers/browser.ts'
import { tempDir } from './helpers/sites.ts'
import { sha256 } from './helpers/stores.ts'
import type { KeyRing } from '../plugins/hub/keys.ts'

t.test('the links page shows an ownership conflict and dismisses it with a click', async (t) => {
  const { tokyo } = await ownershipConflictAtTokyo(t, { dir: tempDir(t) })
  const admin = (await tokyo.gw.service<KeyRing>('keys')!.create({ name: 'ops', scope: 'admin' })).key
  const browser = await launchBrowser(t)
  const a = await openAdmin(browser, tokyo)
  await signIn(a, admin)
  await a.page.goto(`${tokyo.url}/admin/links`)

  const rowOf = (tag: string) => `#ownership-conflicts tbody tr:has(th:text-is("london/app:${tag}"))`
  const row = await a.page.waitForSelector(rowOf('1.0'), { timeout: 20_000 })
  await a.page.waitForSelector(rowOf('latest'))
  const cells = await row.$$eval('td', (tds) => tds.map((td) => td.textContent ?? ''))
  t.equal(cells[0], `sha256:${sha256('tokyo one')}`, 'the value\'s digest')
  t.equal(cells[1], '9 B', 'its size')
  t.equal(cells[2], 'london', 'the owner')
  t.not(cells[3], '–', 'when it was set aside')
  t.same(await seriousViolations(a.page), [], 'the table passes axe-core')

  a.page.once('dialog', (d) => void d.accept())
  await a.page.click(`${rowOf('1.0')} button`)
  await a.page.waitForSelector(rowOf('1.0'), { state: 'detached', timeout: 20_000 })
  t.match(await a.page.textContent('#conflict-result'), /london\/app:1\.0 dismissed/, 'the page says so')
  t.ok(await a.page.$(rowOf('latest')), 'the other conflict stays')
  t.same(((await healthOf(tokyo)).federation.ownershipConflicts as { tag: string }[]).map((c) => c.tag), ['latest'], 'the site no longer lists it')
})
