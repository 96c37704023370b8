// The incoming side takes from a hello only the claims its link carries, but its answer sent all of its
// own `owns`, and the connecting side recorded the answer's claims unchecked: a peer could claim
// namespaces beyond the link and make this site refuse its own publishes there (not owner). The answer
// now carries only what the link carries, and the connecting side records only the claims its own link
// carries: one beyond it is ignored and logged (the peer's side of the link may be wider), not fatal.
import t from 'tap'
import { bearer, publish } from './helpers/hub.ts'
import { linkStatus, startLinked } from './helpers/links.ts'
import { fetchText, tempDir } from './helpers/sites.ts'

t.test('a hello answer claims, and the connecting side records, only what the link carries', async (t) => {
  const dir = tempDir(t)
  const tokyo = await startLinked(t, 'tokyo', { dir, owns: ['tokyo/*', 'acme/*', 'tools/*'], hub: 'stream: { enabled: false }' })
  // Tokyo's side of the link is wider than london's: it carries acme/* too.
  const token = (await tokyo.links.create({ name: 'london', repositories: ['tokyo/*', 'acme/*'], mode: 'pull' })).token
  // London's clock stands still and it follows no stream: only the exchange run here happens.
  const london = await startLinked(t, 'london', { dir, owns: ['london/*'], clock: t.clock, hub: 'stream: { enabled: false }', links: [{ name: 'london', url: tokyo.url, token, mode: 'pull', repositories: ['tokyo/*'] }] })

  const answer = await fetchText(tokyo, '/api/v1/federation/link/hello', { method: 'POST', headers: { ...bearer(token), 'content-type': 'application/json' }, body: JSON.stringify({ site: 'london', owns: [] }) })
  t.equal(answer.status, 200, answer.body)
  t.same(JSON.parse(answer.body).owns, ['tokyo/*', 'acme/*'], 'the answer claims only what tokyo\'s link carries (not tools/*)')

  await london.engine('london').exchange()
  t.notOk((await linkStatus(london, 'outgoing')).failing, 'the exchange succeeds')
  t.equal((await publish(london, london.publish, 'acme/app', '1.0', 'a')).status, 201, 'tokyo\'s claim acme/*, beyond london\'s link, is not recorded: london still owns acme/*')
  t.equal((await publish(london, london.publish, 'tools/cli', '1.0', 'c')).status, 201, 'nor tools/*')
  const owned = await publish(london, london.publish, 'tokyo/app', '1.0', 't')
  t.equal(owned.status, 409, 'tokyo\'s claim the link carries is recorded')
  t.match(owned.text, /owned by site tokyo/)

  const warnings = london.logs.lines().filter((l) => l.level === 'warn' && /claims acme\/\*, which link london \(tokyo\/\*\) does not carry/.test(String(l.msg)))
  t.equal(warnings.length, 1, 'the ignored claim is logged once for the exchange, naming the claim and the link')
})
