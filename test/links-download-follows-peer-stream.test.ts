// A link that downloads subscribes to its peer's change stream with the link's token: a publish at the
// peer reaches this site at once, though the link's interval is an hour.
import t from 'tap'
import { publish } from './helpers/hub.ts'
import { startLinked } from './helpers/links.ts'
import { fetchText, tempDir } from './helpers/sites.ts'
import { waitFor } from './helpers/sync.ts'

t.test('a pull link follows the peer\'s change stream', async (t) => {
  const dir = tempDir(t)
  const tokyo = await startLinked(t, 'tokyo', { dir, owns: ['tokyo/*'] })
  const token = (await tokyo.links.create({ name: 'london', repositories: ['tokyo/*'], mode: 'pull' })).token
  const london = await startLinked(t, 'london', { dir, owns: ['london/*'], links: [{ name: 'london', url: tokyo.url, token, mode: 'pull', repositories: ['tokyo/*'], interval: '1h' }] })
  await waitFor('london is live on tokyo\'s stream', async () => london.logs.text.includes('change stream live'), 30_000)

  t.equal((await publish(tokyo, tokyo.publish, 'tokyo/app', '1.0', 'announced')).status, 201)
  await waitFor('london serves tokyo/app:1.0', async () => (await fetchText(london, '/api/v1/repos/tokyo/app/images/1.0/content')).body === 'announced', 30_000)
  t.pass('arrived without waiting for the interval')
})
