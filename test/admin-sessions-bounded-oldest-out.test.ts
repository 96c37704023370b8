// Sessions kept in the site's index stay bounded: past admin.maxSessions, a new sign-in signs the oldest out.
import t from 'tap'
import { startSite, tempDir } from './helpers/sites.ts'
import { rootYaml } from './helpers/hub.ts'
import { adminApi, isSession, signInHttp, type AdminSession } from './helpers/admin-http.ts'
import type { KeyRing } from '../plugins/hub/keys.ts'

t.test('the oldest session goes past admin.maxSessions', async (t) => {
  const site = await startSite(t, rootYaml('root', 'admin: { maxSessions: 2 }\n'), { dir: tempDir(t), clock: t.clock })
  const key = (await site.gw.service<KeyRing>('keys')!.create({ name: 'ops', scope: 'admin' })).key
  const sessions: AdminSession[] = []
  for (let i = 0; i < 3; i++) {
    const s = await signInHttp(site, key)
    if (!isSession(s)) throw new Error(`sign-in failed: ${JSON.stringify(s)}`)
    sessions.push(s)
    t.clock.advance(1000)
  }
  const statuses = await Promise.all(sessions.map(async (s) => (await adminApi(site, s, 'GET', '/admin/api/state')).status))
  t.same(statuses, [401, 200, 200], 'the first sign-in is over, the two newest are open')
})
