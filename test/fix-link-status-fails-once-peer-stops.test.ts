// A downloading link follows its peer's change stream, so it notices at once when the peer stops (the
// stream closes). Its status still said ok, with an older and older last exchange, until the next
// exchange at its interval (an hour here) failed. The stream closing now starts an exchange, which fails
// while the peer is away: the status shows the failure, with the next try (the backoff).
import t from 'tap'
import { linkStatus, startLinked } from './helpers/links.ts'
import { healthOf } from './helpers/hub.ts'
import { tempDir } from './helpers/sites.ts'
import { waitFor } from './helpers/sync.ts'

t.test('a link shows its failure once its peer stops', async (t) => {
  const dir = tempDir(t)
  const tokyo = await startLinked(t, 'tokyo', { dir, owns: ['tokyo/*'] })
  const token = (await tokyo.links.create({ name: 'london', repositories: ['tokyo/*'], mode: 'pull' })).token
  // London's clock stands still: no exchange at its interval, no retry at its backoff.
  const london = await startLinked(t, 'london', { dir, owns: ['london/*'], clock: t.clock, links: [{ name: 'london', url: tokyo.url, token, mode: 'pull', repositories: ['tokyo/*'], interval: '1h' }] })
  await waitFor('london is live on tokyo\'s stream', async () => london.logs.text.includes('change stream live'), 30_000)
  await london.engine('london').exchange()
  t.equal((await healthOf(london)).federation?.links?.[0]?.state, 'ok', 'the link is ok')

  await tokyo.gw.close()
  const failing = await waitFor('london\'s link shows the failure', async () => (await linkStatus(london, 'outgoing')).failing, 30_000)
  t.ok(failing?.nextTry, 'with its next try')
  t.equal((await healthOf(london)).federation?.links?.[0]?.state, 'failing', 'the admin page and fedgate status show it failing')
})
