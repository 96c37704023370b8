// A link's sync token does only what its link carries: a pull-only token cannot upload, a push-only
// token cannot download, a token for london/* touches nothing else, and a disabled link's token stops
// working. Every refusal is a 403 (401 for the disabled one) and changes nothing.
import t from 'tap'
import { createHash } from 'node:crypto'
import { LinkRing } from '../plugins/hub/links.ts'
import { fetchText } from './helpers/sites.ts'
import { bearer, publish, startRoot } from './helpers/hub.ts'

const json = (key: string) => ({ ...bearer(key), 'content-type': 'application/json' })

t.test('link tokens are limited to their link\'s repositories and mode', async (t) => {
  const root = await startRoot(t)
  t.equal((await publish(root, root.publish, 'acme/app', '1.0', 'acme bytes')).status, 201)
  const links = root.gw.service<LinkRing>('links')!
  const pull = (await links.create({ name: 'tokyo', repositories: ['acme/*'], mode: 'pull' })).token
  const push = (await links.create({ name: 'london', repositories: ['london/*'], mode: 'push' })).token

  t.equal((await fetchText(root, '/api/v1/federation/link/changes?since=0&peer=tokyo', { headers: bearer(pull) })).status, 200, 'a pull token downloads')
  t.equal((await fetchText(root, '/api/v1/repos/acme/app', { headers: bearer(pull) })).status, 200, 'and reads its repositories')

  const bytes = Buffer.from('london bytes')
  const id = createHash('sha256').update(bytes).digest('hex')
  const change = { rev: 1, repo: 'london/app', op: 'tag', tag: '1.0', image: { id, size: bytes.length, createdAt: new Date().toISOString() }, at: new Date().toISOString(), origin: 'london', originRev: 1 }
  const asPull = await fetchText(root, '/api/v1/federation/link/changes', { method: 'POST', headers: json(pull), body: JSON.stringify({ site: 'tokyo', store: 's', upTo: 1, changes: [{ ...change, repo: 'acme/app' }] }) })
  t.equal(asPull.status, 403, 'a pull-only token cannot upload changes')
  t.match(asPull.body, /mode pull\) does not upload/)
  t.equal((await fetchText(root, `/api/v1/federation/link/blobs/sha256:${id}`, { method: 'PUT', headers: { ...bearer(pull), 'fedgate-offset': '0', 'fedgate-size': String(bytes.length) }, body: bytes })).status, 403, 'nor blobs')

  t.equal((await fetchText(root, '/api/v1/federation/link/changes?since=0&peer=london', { headers: bearer(push) })).status, 403, 'a push-only token cannot download')
  t.equal((await fetchText(root, '/api/v1/repos/acme/app', { headers: bearer(push) })).status, 403, 'nor read through the hub API')
  t.equal((await fetchText(root, '/api/v1/federation/changes?since=0', { headers: bearer(pull) })).status, 403, 'the whole feed is not a link token\'s')
  const outside = await fetchText(root, '/api/v1/federation/link/changes', { method: 'POST', headers: json(push), body: JSON.stringify({ site: 'london', store: 's', upTo: 2, changes: [change, { ...change, repo: 'acme/x' }] }) })
  t.equal(outside.status, 403, 'a london/* token cannot touch acme/x')
  t.match(outside.body, /does not carry acme\/x/)
  t.equal((await publish(root, push, 'london/app', '1.0', bytes)).status, 403, 'nor publish with the hub API')

  await links.setDisabled('london', true)
  t.equal((await fetchText(root, `/api/v1/federation/link/blobs/sha256:${id}`, { method: 'HEAD', headers: bearer(push) })).status, 401, 'a disabled link\'s token stops at once')

  const adm = bearer(root.admin)
  t.equal((await fetchText(root, '/api/v1/repos/london/app', { headers: adm })).status, 404, 'nothing changed: no london/app')
  t.same(JSON.parse((await fetchText(root, '/api/v1/repos/acme/app', { headers: adm })).body).tags, { '1.0': createHash('sha256').update('acme bytes').digest('hex'), latest: createHash('sha256').update('acme bytes').digest('hex') }, 'acme/app as it was')
})
