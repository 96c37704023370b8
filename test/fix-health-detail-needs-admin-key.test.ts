// /health used to show anyone the root's URL, its last error, token counts and every plugin's section.
// Without a key it now says only whether the site is well; the detail takes an admin key (a child's own);
// any other key is refused, as on every keyed route.
import t from 'tap'
import { startChildWithOrigin } from './helpers/child-site.ts'
import { fetchText } from './helpers/sites.ts'
import { adminKeyOf, bearer } from './helpers/hub.ts'
import type { KeyRing } from '../plugins/hub/keys.ts'

t.test('/health: a bare status without a key, the detail with an admin key only', async (t) => {
  const { origin, site } = await startChildWithOrigin(t, 'bare-health', { clock: t.clock, extra: '  health: { interval: 1h, failures: 1 }\n' })
  const bare = await fetchText(site, '/health')
  t.equal(bare.status, 200)
  t.same(JSON.parse(bare.body), { status: 'ok' }, 'without a key: the status and nothing else')
  t.notOk(bare.body.includes(String(origin.port)), 'no upstream URL')
  const head = await fetchText(site, '/health', { method: 'HEAD' })
  t.equal(head.status, 200)

  const keys = site.gw.service<KeyRing>('keys')!
  const read = (await keys.create({ name: 'reader', scope: 'read' })).key
  const notAdmin = await fetchText(site, '/health', { headers: bearer(read) })
  t.equal(notAdmin.status, 403, 'a read key: refused')
  t.notOk(notAdmin.body.includes(String(origin.port)))
  const wrong = await fetchText(site, '/health', { headers: { 'x-apikey': `fgk_0000000000000000_${'w'.repeat(43)}` } })
  t.equal(wrong.status, 401, 'an unknown key: refused')

  const detail = JSON.parse((await fetchText(site, '/health', { headers: bearer(await adminKeyOf(site)) })).body)
  t.equal(detail.root.url, origin.url, 'an admin key sees the upstream')
  t.ok('tunnel' in detail || 'hub' in detail, "and the plugins' sections")

  // The root goes away: the bare status says so, still with 200 (synchronized content is still served).
  await origin.close()
  await fetchText(site, '/anything')
  t.equal(site.gw.rootHealth!.state, 'down')
  const degraded = await fetchText(site, '/health')
  t.equal(degraded.status, 200)
  t.same(JSON.parse(degraded.body), { status: 'degraded' }, 'root down: degraded, no reason given')
})
