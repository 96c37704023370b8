// A session is only as good as the admin key that opened it: disabled or recreated, the session ends at once.
import t from 'tap'
import { tempDir } from './helpers/sites.ts'
import { startRoot } from './helpers/hub.ts'
import { adminApi, isSession, signInHttp } from './helpers/admin-http.ts'

t.test('disabling or recreating the key ends its sessions', async (t) => {
  const root = await startRoot(t, { dir: tempDir(t) })
  for (const change of ['disable', 'recreate'] as const) {
    const { key, info } = await root.keys.create({ name: `ops-${change}`, scope: 'admin' })
    const s = await signInHttp(root, key)
    if (!isSession(s)) throw new Error(`sign-in failed: ${JSON.stringify(s)}`)
    t.equal((await adminApi(root, s, 'GET', '/admin/api/state')).status, 200)
    if (change === 'disable') await root.keys.setDisabled(info.id, true)
    else await root.keys.recreate(info.id)
    t.equal((await adminApi(root, s, 'GET', '/admin/api/state')).status, 401, `${change}: the session is over`)
  }
})
