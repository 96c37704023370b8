// A link's hello declares what the connecting site owns, and the site keeps it (the owner it names, and
// what the root no longer accepts publishes for). Any claim was kept: a token for a `tools/cli` link could
// claim acme/*, and the root then refused its own publishes into acme (not owner). A claim is now taken
// only where the link can carry a repository it covers; one beyond it refuses the whole hello (403,
// naming the claim and the link), shows in the link's status, and records nothing.
import t from 'tap'
import { bearer, publish } from './helpers/hub.ts'
import { linkStatus, startLinked } from './helpers/links.ts'
import { fetchText, tempDir } from './helpers/sites.ts'

t.test('a hello claiming namespaces its link does not carry is refused', async (t) => {
  const dir = tempDir(t)
  const tokyo = await startLinked(t, 'tokyo', { dir, owns: ['tokyo/*'] })
  const token = (await tokyo.links.create({ name: 'london', repositories: ['tools/cli'], mode: 'pull' })).token
  const hello = (owns: string[]) => fetchText(tokyo, '/api/v1/federation/link/hello', { method: 'POST', headers: { ...bearer(token), 'content-type': 'application/json' }, body: JSON.stringify({ site: 'london', owns }) })

  const refused = await hello(['tools/*', 'acme/*'])
  t.equal(refused.status, 403, refused.body)
  t.match(JSON.parse(refused.body).error, { code: 'GW_ERR_FORBIDDEN', message: /london claims acme\/\*, which link london \(tools\/cli\) does not carry/ }, 'the refusal names the claim and the link')
  t.match((await linkStatus(tokyo, 'incoming', 'london')).failing?.reason, /london claims acme\/\*, link london carries tools\/cli/, 'the link\'s status shows it')
  t.equal((await hello(['**'])).status, 400, 'a claim of every namespace is no namespace pattern')
  t.equal((await publish(tokyo, tokyo.publish, 'acme/app', '1.0', 'a')).status, 201, 'the root still owns acme/*')
  t.equal((await publish(tokyo, tokyo.publish, 'tools/cli', '1.0', 'c')).status, 201, 'and tools/*: nothing of the refused hello was recorded')

  // Overlap is enough: tools/* covers tools/cli, which the link carries.
  const accepted = await hello(['tools/*'])
  t.equal(accepted.status, 200, accepted.body)
  t.notOk((await linkStatus(tokyo, 'incoming', 'london')).failing, 'no longer failing')
  const owned = await publish(tokyo, tokyo.publish, 'tools/cli', '2.0', 'c2')
  t.equal(owned.status, 409, 'london\'s claim is recorded')
  t.match(owned.text, /owned by site london/)
})
