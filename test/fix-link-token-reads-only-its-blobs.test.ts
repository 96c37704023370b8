// A link's sync token reads only the blobs of the repositories its link carries: a blob that only a
// repository outside the link references is answered exactly like a blob the site does not have (404,
// same body), so the token learns nothing of it; a blob of a carried repository is served.
import t from 'tap'
import { LinkRing } from '../plugins/hub/links.ts'
import { fetchText } from './helpers/sites.ts'
import { bearer, publish, startRoot } from './helpers/hub.ts'
import { sha256 } from './helpers/stores.ts'

t.test('a link token for london/* reads london\'s blobs and no other', async (t) => {
  const root = await startRoot(t)
  const everywhere = (await root.keys.create({ name: 'all', scope: 'publish', namespaces: ['*'] })).key
  t.equal((await publish(root, everywhere, 'acme/x', '1.0', 'acme only')).status, 201)
  t.equal((await publish(root, everywhere, 'london/app', '1.0', 'london bytes')).status, 201)
  t.equal((await publish(root, everywhere, 'acme/y', '1.0', 'shared bytes')).status, 201)
  t.equal((await publish(root, everywhere, 'london/lib', '1.0', 'shared bytes')).status, 201)
  const token = (await root.gw.service<LinkRing>('links')!.create({ name: 'london', repositories: ['london/*'], mode: 'pull' })).token
  const blob = (bytes: string) => `/api/v1/blobs/sha256:${sha256(Buffer.from(bytes))}`

  const own = await fetchText(root, blob('london bytes'), { headers: bearer(token) })
  t.equal(own.status, 200, 'a blob of london/app is served')
  t.equal(own.body, 'london bytes')
  t.equal((await fetchText(root, blob('shared bytes'), { headers: bearer(token) })).body, 'shared bytes', 'so is one london/lib shares with acme/y')

  for (const method of ['GET', 'HEAD']) {
    const outside = await fetchText(root, blob('acme only'), { method, headers: bearer(token) })
    const unknown = await fetchText(root, blob('nobody has this'), { method, headers: bearer(token) })
    t.equal(outside.status, 404, `${method}: a blob only acme/x references is refused`)
    t.equal(outside.body.replace(sha256(Buffer.from('acme only')), 'X'), unknown.body.replace(sha256(Buffer.from('nobody has this')), 'X'), `${method}: exactly as a blob the site does not have`)
    t.notMatch(outside.body, /acme/, 'naming nothing of the repository')
  }
  t.equal((await fetchText(root, blob('acme only'), { headers: bearer(root.read) })).body, 'acme only', 'a read key still reads it')
})
