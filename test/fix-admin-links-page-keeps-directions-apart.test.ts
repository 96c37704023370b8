// A site can have an incoming and an outgoing link of the same name (a middle site: london pulls from it
// through its link "london", and it pulls from london through its own link "london"). The links page shows
// them as two rows, each named with its direction; keyed by name alone, one row took both in turn.
import t from 'tap'
import { tempDir } from './helpers/sites.ts'
import { startLinked } from './helpers/links.ts'
import { launchBrowser, openAdmin, signIn } from './helpers/browser.ts'
import type { KeyRing } from '../plugins/hub/keys.ts'

t.test('an incoming and an outgoing link of one name are two rows', async (t) => {
  const dir = tempDir(t)
  const london = await startLinked(t, 'london', { dir, owns: ['london/*'] })
  const toLondon = (await london.links.create({ name: 'tokyo', repositories: ['london/*'], mode: 'pull' })).token
  const tokyo = await startLinked(t, 'tokyo', { dir, owns: ['tokyo/*'], links: [{ name: 'london', url: london.url, token: toLondon, mode: 'pull', repositories: ['london/*'] }] })
  const toTokyo = (await tokyo.links.create({ name: 'london', repositories: ['tokyo/*'], mode: 'pull' })).token
  const paris = await startLinked(t, 'paris', { dir, owns: ['paris/*'], links: [{ name: 'tokyo', url: tokyo.url, token: toTokyo, mode: 'pull', repositories: ['tokyo/*'] }] })
  await tokyo.engine('london').exchange()
  await paris.engine('tokyo').exchange()

  const admin = (await tokyo.gw.service<KeyRing>('keys')!.create({ name: 'ops', scope: 'admin' })).key
  const browser = await launchBrowser(t)
  const a = await openAdmin(browser, tokyo)
  await signIn(a, admin)
  await a.page.goto(`${tokyo.url}/admin/links`)
  await a.page.waitForFunction(() => document.querySelectorAll('#links tbody tr').length === 2, undefined, { timeout: 20_000 })
  const rows = await a.page.$$eval('#links tbody tr', (trs) => trs.map((tr) => ({ head: tr.querySelector('th')?.textContent ?? '', rest: tr.querySelectorAll('td')[1]?.textContent ?? '' })))
  t.same(rows.map((r) => r.head).sort(), ['london (incoming)', 'london (outgoing)'], 'one row per direction, each named with it')
  const outgoing = rows.find((r) => r.head.endsWith('(outgoing)'))!
  t.match(outgoing.rest, /mode: pull/, 'the outgoing row has its own link\'s details')
  t.notMatch(outgoing.rest, /direction:/, 'the direction is in the name, not repeated in the details')
})
