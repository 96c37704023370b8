import t from 'tap'
import { fetchText } from './helpers/sites.ts'
import { bearer, publish, startRoot } from './helpers/hub.ts'
import { parseKey } from '../plugins/hub/keys.ts'

t.test('keys appear once, in the answer that creates them, and never in logs, listings or errors', async (t) => {
  const root = await startRoot(t)
  const created = await fetchText(root, '/api/v1/admin/keys', { method: 'POST', headers: bearer(root.admin), body: JSON.stringify({ name: 'osaka', scope: 'read' }) })
  t.equal(created.status, 201)
  const key = JSON.parse(created.body).key as string
  t.equal(created.headers['cache-control'], 'no-store')

  await fetchText(root, '/api/v1/federation/repos', { headers: bearer(key) })
  await publish(root, key, 'acme/app', '1.0', 'x') // 403, with the key in the request
  const wrong = await fetchText(root, '/api/v1/federation/repos', { headers: bearer(key + 'x') })
  t.equal(wrong.status, 401)
  const listing = await fetchText(root, '/api/v1/admin/keys', { headers: bearer(root.admin) })
  t.equal(listing.status, 200)
  const secret = parseKey(key)!.secret
  t.equal(secret.length, 43, 'the whole 32-byte secret')
  for (const k of [key, root.admin, root.read, root.publish]) {
    t.notOk(listing.body.includes(k), 'no key in the listing')
    t.notOk(wrong.body.includes(k), 'no key in an error body')
    t.notOk(root.logs.text.includes(k), 'no key in the logs')
  }
  t.notOk(listing.body.includes(secret) || listing.body.includes('hash'), 'neither the secret nor its hash is listed')
  t.notOk(root.logs.text.includes(secret))
})
