import t from 'tap'
import { fetchText } from './helpers/sites.ts'
import { bearer, startRoot } from './helpers/hub.ts'

t.test('a disabled key fails at once (401); enabled again it works; recreate retires the old secret', async (t) => {
  const root = await startRoot(t)
  const path = '/api/v1/federation/repos'
  t.equal((await fetchText(root, path, { headers: bearer(root.read) })).status, 200)
  const id = (await root.keys.list()).find((k) => k.name === 'tokyo')!.id

  const off = await fetchText(root, `/api/v1/admin/keys/${id}/disable`, { method: 'POST', headers: bearer(root.admin) })
  t.equal(off.status, 200)
  t.equal(JSON.parse(off.body).disabled, true)
  const refused = await fetchText(root, path, { headers: bearer(root.read) })
  t.equal(refused.status, 401, 'the very next request is refused')
  t.equal(JSON.parse(refused.body).error.code, 'GW_ERR_UNAUTHORIZED')

  t.equal((await fetchText(root, `/api/v1/admin/keys/${id}/enable`, { method: 'POST', headers: bearer(root.admin) })).status, 200)
  t.equal((await fetchText(root, path, { headers: bearer(root.read) })).status, 200)

  const again = await fetchText(root, `/api/v1/admin/keys/${id}/recreate`, { method: 'POST', headers: bearer(root.admin) })
  const fresh = JSON.parse(again.body).key as string
  t.match(fresh, /^fgk_[0-9a-f]{16}_/)
  t.equal((await fetchText(root, path, { headers: bearer(root.read) })).status, 401, 'the old secret stopped working')
  t.equal((await fetchText(root, path, { headers: bearer(fresh) })).status, 200)
})
