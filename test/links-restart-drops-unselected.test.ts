// A site restarted with a `links:` list that no longer selects a repository stops serving what it had
// received of it, as `repositories:` does; the peer keeps its copy (the forgetting is not a delete that
// travels), and a link that selects it again brings it back.
import t from 'tap'
import { publish } from './helpers/hub.ts'
import { startLinked } from './helpers/links.ts'
import { fetchText, tempDir } from './helpers/sites.ts'

t.test('a repository no link selects any more is dropped at start, and only here', async (t) => {
  const dir = tempDir(t)
  const tokyo = await startLinked(t, 'tokyo', { dir, owns: ['tokyo/*', 'acme/*'] })
  const token = (await tokyo.links.create({ name: 'london', repositories: ['tokyo/*', 'acme/*'], mode: 'mirror' })).token
  const link = (repositories: string[]) => ({ dir, owns: ['london/*'], links: [{ name: 'london', url: tokyo.url, token, mode: 'mirror' as const, repositories }] })
  t.equal((await publish(tokyo, tokyo.publish, 'tokyo/app', '1.0', 'app')).status, 201)
  t.equal((await publish(tokyo, tokyo.publish, 'acme/lib', '1.0', 'lib')).status, 201)

  let london = await startLinked(t, 'london', link(['tokyo/*', 'acme/*']))
  await london.engine('london').exchange()
  t.equal((await fetchText(london, '/api/v1/repos/acme/lib/images/1.0/content')).body, 'lib', 'london serves acme/lib')
  t.equal((await publish(london, london.publish, 'london/own', '1.0', 'own')).status, 201)
  await london.gw.close()

  london = await startLinked(t, 'london', link(['tokyo/*']))
  t.equal((await fetchText(london, '/api/v1/repos/acme/lib')).status, 404, 'acme/lib is no longer served')
  t.equal((await fetchText(london, '/api/v1/repos/tokyo/app/images/1.0/content')).body, 'app', 'tokyo/app still is')
  t.equal((await fetchText(london, '/api/v1/repos/london/own/images/1.0/content')).body, 'own', 'and its own repositories')
  await london.engine('london').exchange()
  t.equal((await fetchText(tokyo, '/api/v1/repos/acme/lib/images/1.0/content')).body, 'lib', 'tokyo keeps acme/lib: nothing travelled')
  await london.gw.close()

  london = await startLinked(t, 'london', link(['tokyo/*', 'acme/*']))
  await london.engine('london').exchange()
  t.equal((await fetchText(london, '/api/v1/repos/acme/lib/images/1.0/content')).body, 'lib', 'selected again: back')
})
