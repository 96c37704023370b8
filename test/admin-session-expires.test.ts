// A session lasts admin.session (site clock) and its cookie says so; then the page asks for the key again.
import t from 'tap'
import { fetchText, startSite, tempDir } from './helpers/sites.ts'
import { rootYaml } from './helpers/hub.ts'
import { adminApi, isSession, signInHttp } from './helpers/admin-http.ts'
import type { KeyRing } from '../plugins/hub/keys.ts'

t.test('a session ends after admin.session', async (t) => {
  const site = await startSite(t, rootYaml('root', 'admin: { session: 10m }\n'), { dir: tempDir(t), clock: t.clock })
  const key = (await site.gw.service<KeyRing>('keys')!.create({ name: 'ops', scope: 'admin' })).key
  const s = await signInHttp(site, key)
  if (!isSession(s)) throw new Error(`sign-in failed: ${JSON.stringify(s)}`)
  t.match(s.setCookie, /; Max-Age=600;/, 'the cookie lives as long as the session')
  t.equal((await adminApi(site, s, 'GET', '/admin/api/state')).status, 200)

  t.clock.advance(9 * 60_000)
  t.equal((await adminApi(site, s, 'GET', '/admin/api/state')).status, 200, 'still open before the end')
  t.clock.advance(60_000)
  t.equal((await adminApi(site, s, 'GET', '/admin/api/state')).status, 401, 'over at the end')
  const page = await fetchText(site, '/admin', { headers: { cookie: s.cookie } })
  t.match(page.body, /action="\/admin\/sign-in"/, 'the page shows the sign-in form again')
})
