// Two sites that both write one tag while cut off from each other, over a custom link (download and
// upload, no ownership declared), converge on one deterministic winner, the later publish, and both
// record the same conflict in status. Further exchanges never flip it back.
import t from 'tap'
import { createHash } from 'node:crypto'
import type { Conflict } from '../plugins/hub/store/versions.ts'
import { adminKeyOf, bearer, publish } from './helpers/hub.ts'
import { startLinked } from './helpers/links.ts'
import { fetchText, tempDir, type TestSite } from './helpers/sites.ts'

const id = (s: string) => createHash('sha256').update(s).digest('hex')
const tagOf = async (site: TestSite) => JSON.parse((await fetchText(site, '/api/v1/repos/shared/app')).body).tags['1.0'] as string
const conflictsOf = async (site: TestSite) => (JSON.parse((await fetchText(site, '/api/v1/federation/links/status', { headers: bearer(await adminKeyOf(site)) })).body) as { conflicts: Conflict[] }).conflicts

t.test('a tag written at both ends converges on the later publish at both', async (t) => {
  const dir = tempDir(t)
  const tokyo = await startLinked(t, 'tokyo', { dir })
  const token = (await tokyo.links.create({ name: 'london', repositories: ['shared/*'], mode: 'custom', custom: { download: true, upload: true } })).token
  const london = await startLinked(t, 'london', { dir, links: [{ name: 'london', url: tokyo.url, token, mode: 'custom', repositories: ['shared/*'], extra: '    download: true\n    upload: true\n' }] })

  // Concurrent writes: the link is cut while both sides publish, so neither has seen the other's value
  // (london's stream-driven exchange would otherwise bring tokyo's first, and london's publish would then
  // be a plain update there, not a conflict).
  await tokyo.links.setDisabled('london', true)
  t.equal((await publish(tokyo, tokyo.publish, 'shared/app', '1.0', 'tokyo value')).status, 201)
  await new Promise((r) => setTimeout(r, 20)) // a later publish time at london, whatever the clock's resolution
  t.equal((await publish(london, london.publish, 'shared/app', '1.0', 'london value')).status, 201)
  await tokyo.links.setDisabled('london', false)

  for (let i = 0; i < 3; i++) {
    await london.engine('london').exchange()
    t.equal(await tagOf(tokyo), id('london value'), `tokyo holds the later publish (exchange ${i + 1})`)
    t.equal(await tagOf(london), id('london value'), `london holds it too (exchange ${i + 1})`)
  }
  const [a, b] = [await conflictsOf(tokyo), await conflictsOf(london)]
  t.same(a.map((c) => c.tag), ['1.0', 'latest'], 'tokyo recorded the conflicts (the publish moved latest too)')
  t.same(a, b, 'both recorded the same ones')
  t.match(a[0], { repo: 'shared/app', tag: '1.0', winner: { origin: 'london', image: id('london value') }, loser: { origin: 'tokyo', image: id('tokyo value') } })
})
