// Ownership can be learnt late also over a link that has been exchanging for a while: London pushed
// london/app:1.0 to Tokyo, which kept its own newer value (nobody claimed london/* then) and moved its
// place in London's log past London's. London then claims london/* (restarted with a wider `owns`):
// Tokyo sets its value aside and takes London's log from the start again, so it serves London's value,
// rather than nothing.
import t from 'tap'
import { publish } from './helpers/hub.ts'
import { startLinked, type LinkedSite, type OutLink } from './helpers/links.ts'
import { fetchText, tempDir } from './helpers/sites.ts'

const content = async (site: LinkedSite) => {
  const res = await fetchText(site, '/api/v1/repos/london/app/images/1.0/content')
  return res.status === 200 ? res.body : res.status
}

t.test('a claim made after the values were exchanged still makes the owner\'s value win', async (t) => {
  const dir = tempDir(t)
  const tokyo = await startLinked(t, 'tokyo', { dir, owns: ['tokyo/*'] })
  const token = (await tokyo.links.create({ name: 'london', repositories: ['london/*'], mode: 'push' })).token
  await tokyo.links.setDisabled('london', true)
  const links: OutLink[] = [{ name: 'london', url: tokyo.url, token, mode: 'push', repositories: ['london/*'] }]
  const london = await startLinked(t, 'london', { dir, owns: ['london/web'], links })
  t.equal((await publish(london, london.publish, 'london/app', '1.0', 'london one')).status, 201, 'london (a root) owns what nobody claims')
  t.equal((await publish(tokyo, tokyo.publish, 'london/app', '1.0', 'tokyo one')).status, 201, 'so does tokyo')
  await tokyo.links.setDisabled('london', false)
  await london.engine('london').exchange()
  t.equal(await content(tokyo), 'tokyo one', 'tokyo keeps its newer value')

  await london.gw.close()
  const owner = await startLinked(t, 'london', { dir, owns: ['london/*'], links })
  await owner.engine('london').exchange()
  t.equal(await content(tokyo), 'london one', 'tokyo serves the owner\'s value')
  t.equal(await content(owner), 'london one')
})
