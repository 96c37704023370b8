// A site never applies another site's changes to a repository it owns (`site.owns`), whichever way they
// arrive over a link: pushed to it (an upload) or read from the peer's feed (a download). Only the owner
// publishes there; the changes are skipped, counted in the link's status (notOwner), and nothing of
// the repository changes. Here the other site is a root that accepted the publishes before it knew the
// owner's claim (a root owns what no site it knows of claims).
import t from 'tap'
import { adminKeyOf, bearer, publish } from './helpers/hub.ts'
import { linkStatus, startLinked } from './helpers/links.ts'
import { fetchText, tempDir, type TestSite } from './helpers/sites.ts'

const repoOf = async (site: TestSite) => fetchText(site, '/api/v1/repos/london/app', { headers: bearer(await adminKeyOf(site)) })

t.test('changes pushed to the owner of their repository are not applied', async (t) => {
  const dir = tempDir(t)
  const london = await startLinked(t, 'london', { dir, owns: ['london/*'] })
  t.equal((await publish(london, london.publish, 'london/app', '1.0', 'london one')).status, 201)
  const token = (await london.links.create({ name: 'tokyo', repositories: ['london/*'], mode: 'push' })).token
  // Disabled until tokyo has published: its hello would tell it that london owns london/*.
  await london.links.setDisabled('tokyo', true)
  const tokyo = await startLinked(t, 'tokyo', { dir, owns: ['tokyo/*'], links: [{ name: 'tokyo', url: london.url, token, mode: 'push', repositories: ['london/*'] }] })
  t.equal((await publish(tokyo, tokyo.publish, 'london/app', '1.0', 'tokyo one')).status, 201, 'tokyo (a root) does not know the owner yet')
  const before = (await repoOf(london)).body

  await london.links.setDisabled('tokyo', false)
  await tokyo.engine('tokyo').exchange()
  t.equal((await repoOf(london)).body, before, 'london/app exactly as it was at london')
  t.equal((await fetchText(london, '/api/v1/repos/london/app/images/1.0/content')).body, 'london one')
  t.equal((await linkStatus(london, 'incoming', 'tokyo')).notOwner, 2, 'both changes (1.0 and latest) counted as not the owner\'s')
  t.notOk((await linkStatus(tokyo, 'outgoing', 'tokyo')).failing, 'the link keeps working')
})

t.test('a peer\'s feed carrying changes to a repository this site owns is not applied', async (t) => {
  const dir = tempDir(t)
  const tokyo = await startLinked(t, 'tokyo', { dir, owns: ['tokyo/*'] })
  t.equal((await publish(tokyo, tokyo.publish, 'london/app', '1.0', 'tokyo one')).status, 201, 'tokyo (a root) does not know the owner yet')
  t.equal((await publish(tokyo, tokyo.publish, 'tokyo/app', '1.0', 'tokyo app')).status, 201)
  const token = (await tokyo.links.create({ name: 'london', repositories: ['london/*', 'tokyo/*'], mode: 'pull' })).token
  const london = await startLinked(t, 'london', { dir, owns: ['london/*'], links: [{ name: 'london', url: tokyo.url, token, mode: 'pull', repositories: ['london/*', 'tokyo/*'] }] })

  await london.engine('london').exchange()
  t.equal((await fetchText(london, '/api/v1/repos/tokyo/app/images/1.0/content')).body, 'tokyo app', 'what tokyo owns arrived')
  t.equal((await repoOf(london)).status, 404, 'london/app, owned by london, was not taken from tokyo')
  t.equal((await linkStatus(london, 'outgoing', 'london')).notOwner, 2, 'both changes (1.0 and latest) counted as not the owner\'s')
  t.equal((await publish(london, london.publish, 'london/app', '1.0', 'london one')).status, 201, 'the owner publishes there')
  await london.engine('london').exchange()
  t.equal((await fetchText(london, '/api/v1/repos/london/app/images/1.0/content')).body, 'london one', 'and keeps its own value')
})
