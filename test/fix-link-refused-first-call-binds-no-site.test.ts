// A link's token speaks for the site its first call names, but only a call that is accepted binds it: a
// hello refused for a claim outside the link (403), or an upload refused as malformed (400), records
// nothing. They bound the token to the site name they gave, so once the peer fixed its configuration
// (a mistyped site name) every call was 409 "speaks for <the typo>" for good: only a new link helped.
import t from 'tap'
import { LinkRing } from '../plugins/hub/links.ts'
import { fetchText } from './helpers/sites.ts'
import { bearer, startRoot } from './helpers/hub.ts'

const json = (key: string) => ({ ...bearer(key), 'content-type': 'application/json' })

t.test('a refused first call binds the token to no site', async (t) => {
  const root = await startRoot(t)
  const links = root.gw.service<LinkRing>('links')!
  const hello = (token: string, body: unknown) => fetchText(root, '/api/v1/federation/link/hello', { method: 'POST', headers: json(token), body: JSON.stringify(body) })

  const paris = (await links.create({ name: 'paris', repositories: ['paris/*'], mode: 'pull' })).token
  t.equal((await hello(paris, { site: 'prais', owns: ['acme/*'] })).status, 403, 'a hello claiming beyond its link is refused')
  const fixed = await hello(paris, { site: 'paris', owns: ['paris/*'] })
  t.equal(fixed.status, 200, `the corrected hello is taken: ${fixed.body}`)

  const rome = (await links.create({ name: 'rome', repositories: ['rome/*'], mode: 'push' })).token
  const upload = await fetchText(root, '/api/v1/federation/link/changes', { method: 'POST', headers: json(rome), body: JSON.stringify({ site: 'roma', store: 's', upTo: 1, changes: [{ rev: 1, repo: 'rome/app', op: 'tag', tag: 'bad tag' }] }) })
  t.equal(upload.status, 400, 'a malformed upload is refused')
  const after = await hello(rome, { site: 'rome', owns: ['rome/*'] })
  t.equal(after.status, 200, `the site's own hello is taken: ${after.body}`)
  t.equal((await hello(rome, { site: 'roma', owns: [] })).status, 409, 'and from then on the token speaks for that site only')
})
