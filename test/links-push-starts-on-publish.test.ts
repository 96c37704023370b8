// A link that uploads starts an exchange as soon as a repository it carries commits here: a publish at
// the pushing site reaches its peer at once, not at the link's interval (an hour here). Nothing is
// pushed by hand: no test calls exchange().
import t from 'tap'
import { publish } from './helpers/hub.ts'
import { linkStatus, startLinked } from './helpers/links.ts'
import { fetchText, tempDir } from './helpers/sites.ts'
import { waitFor } from './helpers/sync.ts'

t.test('a publish at a pushing site starts an exchange at once', async (t) => {
  const dir = tempDir(t)
  const tokyo = await startLinked(t, 'tokyo', { dir, owns: ['tokyo/*'] })
  const token = (await tokyo.links.create({ name: 'london', repositories: ['london/*'], mode: 'push' })).token
  const london = await startLinked(t, 'london', { dir, owns: ['london/*'], links: [{ name: 'london', url: tokyo.url, token, mode: 'push', repositories: ['london/*'], interval: '1h' }] })
  // The exchange at start is over before the publish: what follows is the publish's own.
  await waitFor('the first exchange', async () => (await linkStatus(london, 'outgoing', 'london')).lastExchange !== undefined, 30_000)

  t.equal((await publish(london, london.publish, 'london/app', '1.0', 'v1')).status, 201)
  await waitFor('tokyo holds london/app:1.0', async () => (await fetchText(tokyo, '/api/v1/repos/london/app/images/1.0/content')).body === 'v1', 30_000)
  t.equal((await publish(london, london.publish, 'london/app', '2.0', 'v2')).status, 201)
  await waitFor('tokyo holds london/app:2.0', async () => (await fetchText(tokyo, '/api/v1/repos/london/app/images/2.0/content')).body === 'v2', 30_000)
  t.pass('both publishes pushed without waiting for the hour')
})
