// A change-stream announcement that arrives while the link is idle starts an exchange, and so does the
// next one: an exchange requested while none ran once left its settled promise queued, and every later
// announcement was handed that instead of an exchange (only the interval, an hour here, moved content).
import t from 'tap'
import { publish } from './helpers/hub.ts'
import { linkStatus, startLinked } from './helpers/links.ts'
import { fetchText, tempDir } from './helpers/sites.ts'
import { waitFor } from './helpers/sync.ts'

t.test('every announcement at an idle link starts an exchange', async (t) => {
  const dir = tempDir(t)
  const tokyo = await startLinked(t, 'tokyo', { dir, owns: ['tokyo/*'] })
  const token = (await tokyo.links.create({ name: 'london', repositories: ['tokyo/*'], mode: 'pull' })).token
  const london = await startLinked(t, 'london', { dir, owns: ['london/*'], links: [{ name: 'london', url: tokyo.url, token, mode: 'pull', repositories: ['tokyo/*'], interval: '1h' }] })
  await waitFor('london is live on tokyo\'s stream', async () => london.logs.text.includes('change stream live'), 30_000)
  await waitFor('the first exchange', async () => (await linkStatus(london, 'outgoing', 'london')).lastExchange !== undefined, 30_000)

  for (const tag of ['1.0', '2.0', '3.0']) {
    t.equal((await publish(tokyo, tokyo.publish, 'tokyo/app', tag, `v${tag}`)).status, 201)
    await waitFor(`london serves tokyo/app:${tag}`, async () => (await fetchText(london, `/api/v1/repos/tokyo/app/images/${tag}/content`)).body === `v${tag}`, 30_000)
  }
  t.pass('each publish arrived without waiting for the interval')
})
