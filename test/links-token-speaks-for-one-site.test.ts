// A link's hello names the calling site and the namespaces it owns, and the incoming site records both.
// Any link's token could name any site: a pull token for tokyo/* calling itself "london" with no claims
// erased london's declared namespaces, and the root then accepted a publish into london/*. A link's
// token now speaks for the site its first call named: another name is refused (409), and no second link
// may speak for a site that has one (until that link is disabled); the claims of the real site stand.
import t from 'tap'
import { fetchText, tempDir } from './helpers/sites.ts'
import { bearer, publish } from './helpers/hub.ts'
import { startLinked } from './helpers/links.ts'

t.test("a link's token speaks for one site, and cannot rewrite another's claims", async (t) => {
  const dir = tempDir(t)
  const root = await startLinked(t, 'root', { dir })
  const londonToken = (await root.links.create({ name: 'london', repositories: ['london/*'], mode: 'push' })).token
  const readerToken = (await root.links.create({ name: 'reader', repositories: ['tokyo/*'], mode: 'pull' })).token
  const hello = (token: string, body: unknown) => fetchText(root, '/api/v1/federation/link/hello', { method: 'POST', headers: { ...bearer(token), 'content-type': 'application/json' }, body: JSON.stringify(body) })

  t.equal((await hello(londonToken, { site: 'london', owns: ['london/*'] })).status, 200, "london's link says hello as london")
  t.equal((await publish(root, root.publish, 'london/app', '1.0', 'x')).status, 409, 'the root now refuses a publish into london/* (london owns it)')

  const asLondon = await hello(readerToken, { site: 'london', owns: [] })
  t.equal(asLondon.status, 409, "another link's token calling itself london is refused")
  t.match(JSON.parse(asLondon.body).error.message, /another link already speaks for london/)
  t.equal((await publish(root, root.publish, 'london/app', '1.0', 'x')).status, 409, "london's claim stands")

  t.equal((await hello(readerToken, { site: 'reader', owns: [] })).status, 200, 'the reader says hello as itself')
  const renamed = await hello(readerToken, { site: 'paris', owns: [] })
  t.equal(renamed.status, 409, 'and cannot change its name later')
  t.match(JSON.parse(renamed.body).error.message, /speaks for reader/)
  const feed = await fetchText(root, '/api/v1/federation/link/changes?since=0&peer=london', { headers: bearer(readerToken) })
  t.equal(feed.status, 409, 'nor read the log as london')

  // Once london's link is disabled, a new link may speak for london.
  await root.links.setDisabled('london', true)
  const newToken = (await root.links.create({ name: 'london-2', repositories: ['london/*'], mode: 'push' })).token
  t.equal((await hello(newToken, { site: 'london', owns: ['london/*'] })).status, 200, "a new link speaks for london once the old one is disabled")
})
