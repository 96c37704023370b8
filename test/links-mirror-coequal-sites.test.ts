// Coequal development over one mirror link: Tokyo and London each publish in the namespaces they own;
// London connects out to Tokyo. One exchange brings each the other's repositories, served from its own
// store; a second exchange moves nothing.
import t from 'tap'
import { fetchText, tempDir } from './helpers/sites.ts'
import { publish } from './helpers/hub.ts'
import { linkStatus, startLinked } from './helpers/links.ts'

t.test('a mirror link carries both sites\' publishes, then goes quiet', async (t) => {
  const dir = tempDir(t)
  const tokyo = await startLinked(t, 'tokyo', { dir, owns: ['tokyo/*'] })
  const token = (await tokyo.links.create({ name: 'london', repositories: ['tokyo/*', 'london/*'], mode: 'mirror' })).token
  const london = await startLinked(t, 'london', { dir, owns: ['london/*'], links: [{ name: 'london', url: tokyo.url, token, mode: 'mirror', repositories: ['tokyo/*', 'london/*'] }] })

  t.equal((await publish(tokyo, tokyo.publish, 'tokyo/app', '1.0', 'from tokyo')).status, 201)
  t.equal((await publish(london, london.publish, 'london/app', '1.0', 'from london')).status, 201)
  await london.engine('london').exchange()

  t.equal((await fetchText(london, '/api/v1/repos/tokyo/app/images/1.0/content')).body, 'from tokyo', 'london serves tokyo\'s repository')
  t.equal((await fetchText(tokyo, '/api/v1/repos/london/app/images/1.0/content')).body, 'from london', 'tokyo serves london\'s repository')

  const before = await linkStatus(london, 'outgoing')
  await london.engine('london').exchange()
  const after = await linkStatus(london, 'outgoing')
  t.equal(after.changes.in, before.changes.in, 'no change downloaded after convergence')
  t.equal(after.changes.out, before.changes.out, 'no change uploaded after convergence')
  t.equal(after.blobs.in + after.blobs.out, before.blobs.in + before.blobs.out, 'no blob moved after convergence')
  t.equal(before.blobs.in, 1, 'one blob down')
  t.equal(before.blobs.out, 1, 'one blob up')
})
