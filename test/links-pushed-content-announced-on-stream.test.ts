// Content pushed into a site over a link is announced on that site's change stream like any commit:
// a child of the receiving site (root: + repositories:, sync.interval 1 h) has it at once.
import t from 'tap'
import { KeyRing } from '../plugins/hub/keys.ts'
import { publish } from './helpers/hub.ts'
import { startLinked } from './helpers/links.ts'
import { fetchText, tempDir } from './helpers/sites.ts'
import { startChild, waitFor } from './helpers/sync.ts'

t.test('a push is announced on the receiver\'s change stream', async (t) => {
  const dir = tempDir(t)
  const tokyo = await startLinked(t, 'tokyo', { dir, owns: ['tokyo/*'] })
  const token = (await tokyo.links.create({ name: 'london', repositories: ['london/*'], mode: 'push' })).token
  const london = await startLinked(t, 'london', { dir, owns: ['london/*'], links: [{ name: 'london', url: tokyo.url, token, mode: 'push', repositories: ['london/*'] }] })
  t.equal((await publish(london, london.publish, 'london/app', '1.0', 'v1')).status, 201)
  await london.engine('london').exchange()
  const read = (await tokyo.gw.service<KeyRing>('keys')!.create({ name: 'branch', scope: 'read' })).key
  const branch = await startChild(t, dir, 'branch', tokyo.url, read, 'repositories: [london/app]\nsync: { interval: 1h }\n')
  await waitFor('the branch holds 1.0', async () => (await fetchText(branch, '/api/v1/repos/london/app/images/1.0/content')).body === 'v1', 30_000)

  t.equal((await publish(london, london.publish, 'london/app', '2.0', 'v2')).status, 201)
  await london.engine('london').exchange()
  await waitFor('the branch holds 2.0 without a round', async () => (await fetchText(branch, '/api/v1/repos/london/app/images/2.0/content')).body === 'v2', 30_000)
  t.pass('announced and synchronized at once (the interval is an hour)')
})
