// A link's upload may tag only blobs its link can know: ones its repositories reference, or that it
// uploaded itself. A change naming a blob the site holds only for another repository is refused exactly
// like one naming a blob the site lacks (409, the same answer), and changes nothing. It was applied:
// the token, knowing only a digest, learnt that the site held the blob, and then read its bytes through
// the repository it had just tagged (a blob of a carried repository is served to the link).
import t from 'tap'
import { LinkRing } from '../plugins/hub/links.ts'
import { fetchText } from './helpers/sites.ts'
import { bearer, publish, startRoot } from './helpers/hub.ts'
import { sha256 } from './helpers/stores.ts'

t.test('an upload cannot tag a blob the link never sent and cannot see', async (t) => {
  const root = await startRoot(t)
  const everywhere = (await root.keys.create({ name: 'all', scope: 'publish', namespaces: ['*'] })).key
  t.equal((await publish(root, everywhere, 'acme/secret', '1.0', 'acme only')).status, 201)
  const token = (await root.gw.service<LinkRing>('links')!.create({ name: 'london', repositories: ['london/*'], mode: 'mirror' })).token
  const at = new Date().toISOString()
  const tagging = (bytes: string) => ({ rev: 1, repo: 'london/x', op: 'tag', tag: '1.0', image: { id: sha256(Buffer.from(bytes)), size: bytes.length, createdAt: at }, at, origin: 'london', originRev: 1 })
  const upload = (bytes: string) => fetchText(root, '/api/v1/federation/link/changes', { method: 'POST', headers: { ...bearer(token), 'content-type': 'application/json' }, body: JSON.stringify({ site: 'london', store: 's', upTo: 1, changes: [tagging(bytes)] }) })

  const held = await upload('acme only')
  const lacked = await upload('nobody has this')
  t.equal(held.status, 409, 'a blob held only for acme/secret is refused')
  t.equal(held.body.replace(sha256(Buffer.from('acme only')), 'X'), lacked.body.replace(sha256(Buffer.from('nobody has this')), 'X'), 'exactly as one the site lacks')
  t.equal((await fetchText(root, '/api/v1/repos/london/x', { headers: bearer(root.admin) })).status, 404, 'nothing was tagged')
  t.equal((await fetchText(root, `/api/v1/blobs/sha256:${sha256(Buffer.from('acme only'))}`, { headers: bearer(token) })).status, 404, 'and the token still cannot read it')

  // Sent by the link itself (the bytes verified), the same blob is taken.
  const put = await fetchText(root, `/api/v1/federation/link/blobs/sha256:${sha256(Buffer.from('acme only'))}`, { method: 'PUT', headers: { ...bearer(token), 'fedgate-offset': '0', 'fedgate-size': '9' }, body: 'acme only' })
  t.equal(put.status, 201)
  t.equal((await upload('acme only')).status, 200, 'a blob the link uploaded is taken')
})
