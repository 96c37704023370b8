// A value set aside by the site that published it before it learnt the owner reaches the sites that took
// it too: Berlin pulled London's value, then Tokyo's newer one over it; Tokyo learns that London owns
// london/* and withdraws its value. Berlin drops it and, reading London's log again, serves London's
// value like everyone else, though Tokyo (which only pushes to London) never had it to pass on.
import t from 'tap'
import { publish } from './helpers/hub.ts'
import { startLinked, type LinkedSite } from './helpers/links.ts'
import { fetchText, tempDir } from './helpers/sites.ts'

const content = async (site: LinkedSite) => {
  const res = await fetchText(site, '/api/v1/repos/london/app/images/1.0/content')
  return res.status === 200 ? res.body : res.status
}

t.test('a third site that took the withdrawn value converges on the owner\'s', async (t) => {
  const dir = tempDir(t)
  // Every link made disabled at its incoming side: each exchange below is the first over its link.
  const london = await startLinked(t, 'london', { dir, owns: ['london/*'] })
  const made = async (at: LinkedSite, name: string, mode: 'pull' | 'push') => {
    const token = (await at.links.create({ name, repositories: ['london/*'], mode })).token
    await at.links.setDisabled(name, true)
    return { token, enable: () => at.links.setDisabled(name, false) }
  }
  const link = (name: string, url: string, token: string, mode: 'pull' | 'push') => ({ name, url, token, mode, repositories: ['london/*'] })
  const tokyoLondon = await made(london, 'tokyo', 'push')
  const berlinLondon = await made(london, 'berlin', 'pull')
  const tokyo = await startLinked(t, 'tokyo', { dir, owns: ['tokyo/*'], links: [link('tokyo', london.url, tokyoLondon.token, 'push')] })
  const berlinTokyo = await made(tokyo, 'berlin', 'pull')
  // Berlin follows no change stream: its exchanges are the ones run below.
  const berlin = await startLinked(t, 'berlin', { dir, owns: ['berlin/*'], hub: 'stream: { enabled: false }', links: [link('london', london.url, berlinLondon.token, 'pull'), link('tokyo', tokyo.url, berlinTokyo.token, 'pull')] })

  t.equal((await publish(london, london.publish, 'london/app', '1.0', 'london one')).status, 201)
  t.equal((await publish(tokyo, tokyo.publish, 'london/app', '1.0', 'tokyo one')).status, 201, 'tokyo (a root) does not know the owner yet')
  await berlinLondon.enable()
  await berlin.engine('london').exchange()
  t.equal(await content(berlin), 'london one')
  await berlinTokyo.enable()
  await berlin.engine('tokyo').exchange()
  t.equal(await content(berlin), 'tokyo one', 'tokyo\'s, the newer, replaced it at berlin')

  await tokyoLondon.enable()
  await tokyo.engine('tokyo').exchange()
  t.equal(await content(tokyo), 404, 'tokyo set its value aside (it only pushes: it has no other)')
  await berlin.engine('tokyo').exchange()
  t.not(await content(berlin), 'tokyo one', 'the withdrawal reached berlin')
  await berlin.engine('london').exchange()
  t.equal(await content(berlin), 'london one', 'berlin serves the owner\'s value again')
  t.equal(await content(london), 'london one')
})
