// A site never applies a change that it made itself when a peer sends it one (docs/federation.md,
// "Origin"): even one claiming a newer revision of this site's own, which the version rule alone would
// take. It writes nothing, and the receiving side counts it in the link's status (echoes.own).
import t from 'tap'
import { adminKeyOf, bearer } from './helpers/hub.ts'
import { linkStatus, startLinked } from './helpers/links.ts'
import { fetchText, tempDir } from './helpers/sites.ts'
import { publish } from './helpers/hub.ts'
import { sha256 } from './helpers/stores.ts'

t.test('a change of this site\'s own origin sent by a peer is not applied', async (t) => {
  const london = await startLinked(t, 'london', { dir: tempDir(t), owns: ['london/*'] })
  t.equal((await publish(london, london.publish, 'london/app', '1.0', 'one')).status, 201)
  t.equal((await publish(london, london.publish, 'london/app', '2.0', 'two')).status, 201)
  const token = (await london.links.create({ name: 'tokyo', repositories: ['london/*'], mode: 'mirror' })).token
  const before = (await fetchText(london, '/api/v1/repos/london/app', { headers: bearer(await adminKeyOf(london)) })).body

  const two = { id: sha256('two'), size: 3, createdAt: new Date().toISOString() }
  const later = new Date(Date.now() + 3_600_000).toISOString()
  const forged = [
    { rev: 7, repo: 'london/app', op: 'tag', tag: '1.0', image: two, at: later, origin: 'london', originRev: 1_000_000 },
    { rev: 8, repo: 'london/app', op: 'untag', tag: '2.0', at: later, origin: 'london', originRev: 1_000_001 },
  ]
  const res = await fetchText(london, '/api/v1/federation/link/changes', {
    method: 'POST',
    headers: { ...bearer(token), 'content-type': 'application/json' },
    body: JSON.stringify({ site: 'tokyo', store: 'tokyo-store', upTo: 8, changes: forged }),
  })
  t.equal(res.status, 200, res.body)
  t.same(JSON.parse(res.body), { applied: 0, notOwner: 0 }, 'nothing applied (changes of its own are echoes, not another site\'s)')
  t.equal((await fetchText(london, '/api/v1/repos/london/app', { headers: bearer(await adminKeyOf(london)) })).body, before, 'london/app exactly as it was')
  t.equal((await fetchText(london, '/api/v1/repos/london/app/images/1.0/content')).body, 'one')
  t.equal((await linkStatus(london, 'incoming', 'tokyo')).echoes.own, 2, 'both counted as come back to their origin')
})
