// A recreate racing an enable or a disable (two admins, or the CLI and a site) must not write back the
// hash the other one read: that would revive the retired secret and break the one just shown.
import t from 'tap'
import { fetchText } from './helpers/sites.ts'
import { bearer, startRoot } from './helpers/hub.ts'

t.test('recreate racing enable or disable: the old secret is dead, the new one and the flag both hold', async (t) => {
  const root = await startRoot(t)
  const path = '/api/v1/federation/repos'
  const id = (await root.keys.list()).find((k) => k.name === 'tokyo')!.id
  const admin = (action: string) => fetchText(root, `/api/v1/admin/keys/${id}/${action}`, { method: 'POST', headers: bearer(root.admin) })

  let current = root.read
  let revived = 0
  let broken = 0
  for (let i = 0; i < 15; i++) {
    const [recreated, enabled] = await Promise.all([admin('recreate'), admin('enable')])
    t.equal(recreated.status, 200)
    t.equal(enabled.status, 200)
    const fresh = JSON.parse(recreated.body).key as string
    if ((await fetchText(root, path, { headers: bearer(current) })).status !== 401) revived++
    if ((await fetchText(root, path, { headers: bearer(fresh) })).status !== 200) broken++
    current = fresh
  }
  t.equal(revived, 0, 'no retired secret works after its recreate answered')
  t.equal(broken, 0, 'every secret a recreate showed works')

  // Both changes land, whichever order they run in.
  const [again] = await Promise.all([root.keys.recreate(id), root.keys.setDisabled(id, true)])
  t.equal((await root.keys.list()).find((k) => k.id === id)!.disabled, true, 'the disable is kept')
  t.equal((await fetchText(root, path, { headers: bearer(again.key) })).status, 401, 'disabled')
  await root.keys.setDisabled(id, false)
  t.equal((await fetchText(root, path, { headers: bearer(again.key) })).status, 200, 'the recreated secret is the one kept')
})
