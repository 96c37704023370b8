import t from 'tap'
import { fetchText } from './helpers/sites.ts'
import { bearer, publish, startRoot } from './helpers/hub.ts'

t.test('a read key cannot publish, delete or manage keys (403); a publish key only in its namespaces', async (t) => {
  const root = await startRoot(t)
  t.equal((await publish(root, root.publish, 'acme/app', '1.0', 'v1')).status, 201)

  const asRead = await publish(root, root.read, 'acme/app', '2.0', 'v2')
  t.equal(asRead.status, 403)
  t.equal((asRead.body.error as { code: string }).code, 'GW_ERR_FORBIDDEN')
  t.equal((await fetchText(root, '/api/v1/repos/acme/app/tags/1.0', { method: 'DELETE', headers: bearer(root.read) })).status, 403)
  t.equal((await fetchText(root, '/api/v1/admin/keys', { headers: bearer(root.read) })).status, 403)
  t.equal((await fetchText(root, '/api/v1/admin/keys', { method: 'POST', headers: bearer(root.read), body: '{"name":"x","scope":"admin"}' })).status, 403)
  const id = (await root.keys.list())[0]!.id
  t.equal((await fetchText(root, `/api/v1/admin/keys/${id}/disable`, { method: 'POST', headers: bearer(root.read) })).status, 403)

  t.equal((await publish(root, root.publish, 'other/app', '1.0', 'v1')).status, 403, 'publish key outside acme/*')
  t.equal((await fetchText(root, '/api/v1/admin/keys', { headers: bearer(root.publish) })).status, 403, 'publish key cannot manage keys')
  t.equal((await publish(root, 'fgk_0000000000000000_' + 'a'.repeat(43), 'acme/app', '2.0', 'v2')).status, 401, 'unknown key')
  t.equal((await fetchText(root, '/api/v1/repos/acme/app', { headers: bearer(root.read) })).body.includes('"1.0"'), true, 'nothing changed')
  t.equal((await fetchText(root, '/api/v1/repos/acme/app/tags/1.0', { method: 'DELETE', headers: { 'x-apikey': root.publish } })).status, 204, 'X-ApiKey works too')
})
