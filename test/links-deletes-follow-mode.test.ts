// Deletes travel as tombstones only where the link's mode says so: a custom link that downloads without
// deleteDownloaded keeps the tag, a pull link removes it, and once deleted an older set of the same
// tag arriving later (from a peer that had not yet heard of the delete) never brings it back.
import t from 'tap'
import { createHash } from 'node:crypto'
import { bearer, publish } from './helpers/hub.ts'
import { startLinked } from './helpers/links.ts'
import { fetchText, tempDir, type TestSite } from './helpers/sites.ts'

const tags = async (site: TestSite) => {
  const r = await fetchText(site, '/api/v1/repos/tokyo/app')
  return r.status === 200 ? (JSON.parse(r.body).tags as Record<string, string>) : {}
}

t.test('deletes follow the mode and never resurrect', async (t) => {
  const dir = tempDir(t)
  const tokyo = await startLinked(t, 'tokyo', { dir, owns: ['tokyo/*'] })
  const pullToken = (await tokyo.links.create({ name: 'london', repositories: ['tokyo/*'], mode: 'pull' })).token
  const keepToken = (await tokyo.links.create({ name: 'berlin', repositories: ['tokyo/*'], mode: 'custom', custom: { download: true } })).token
  const london = await startLinked(t, 'london', { dir, owns: ['london/*'], links: [{ name: 'london', url: tokyo.url, token: pullToken, mode: 'pull', repositories: ['tokyo/*'] }] })
  const berlin = await startLinked(t, 'berlin', { dir, owns: ['berlin/*'], links: [{ name: 'berlin', url: tokyo.url, token: keepToken, mode: 'custom', repositories: ['tokyo/*'], extra: '    download: true\n' }] })

  t.equal((await publish(tokyo, tokyo.publish, 'tokyo/app', '1.0', 'v1')).status, 201)
  t.equal((await publish(tokyo, tokyo.publish, 'tokyo/app', '2.0', 'v2', )).status, 201)
  await london.engine('london').exchange()
  await berlin.engine('berlin').exchange()
  t.ok((await tags(london))['1.0'] && (await tags(berlin))['1.0'], 'both hold 1.0')
  // What tokyo logged for 1.0: an older set that a late peer might still send.
  const feed = JSON.parse((await fetchText(tokyo, '/api/v1/federation/link/changes?since=0&peer=london', { headers: bearer(pullToken) })).body)
  const oldSet = feed.changes.find((c: { tag: string; op: string }) => c.tag === '1.0' && c.op === 'tag')

  t.equal((await fetchText(tokyo, '/api/v1/repos/tokyo/app/tags/1.0', { method: 'DELETE', headers: bearer(tokyo.publish) })).status, 204)
  await london.engine('london').exchange()
  await berlin.engine('berlin').exchange()
  t.notOk('1.0' in (await tags(london)), 'a pull link applies the delete')
  t.ok('1.0' in (await tags(berlin)), 'a custom link without deleteDownloaded keeps the tag')
  t.ok('2.0' in (await tags(london)), 'other tags stay')

  // The older set arrives at london by another link (a push from a site that still had it).
  const pushToken = (await london.links.create({ name: 'paris', repositories: ['tokyo/*'], mode: 'push' })).token
  const late = await fetchText(london, '/api/v1/federation/link/changes', { method: 'POST', headers: { ...bearer(pushToken), 'content-type': 'application/json' }, body: JSON.stringify({ site: 'paris', store: 'p', upTo: 1, changes: [oldSet] }) })
  t.equal(late.status, 200, late.body)
  t.equal(JSON.parse(late.body).applied, 0, 'the older set is not applied')
  t.notOk('1.0' in (await tags(london)), 'the deleted tag did not come back')
  t.equal(createHash('sha256').update('v2').digest('hex'), (await tags(london))['2.0'])
})
