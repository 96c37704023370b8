// A link's peer is another site, not this site's root. A link whose peer refused the connection showed
// "The root refused the connection" (GW_ERR_ROOT_UNAVAILABLE) in its status and its log, sending an
// operator to look at the wrong site. A link's failures have codes of their own, naming the link peer.
import t from 'tap'
import { linkStatus, startLinked } from './helpers/links.ts'
import { tempDir } from './helpers/sites.ts'

t.test('a refused link peer is named as the link peer', async (t) => {
  const dir = tempDir(t)
  const tokyo = await startLinked(t, 'tokyo', { dir, owns: ['tokyo/*'] })
  const token = (await tokyo.links.create({ name: 'london', repositories: ['tokyo/*'], mode: 'pull' })).token
  const london = await startLinked(t, 'london', { dir, owns: ['london/*'], links: [{ name: 'london', url: tokyo.url, token, mode: 'pull', repositories: ['tokyo/*'] }] })
  await london.engine('london').exchange()
  await tokyo.gw.close()

  const err = await london.engine('london').exchange().then(() => undefined, (e: unknown) => e as { code?: string; message?: string })
  t.equal(err?.code, 'GW_ERR_PEER_REFUSED', 'the exchange fails with the link peer\'s code')
  const status = await linkStatus(london, 'outgoing')
  t.match(status.failing?.reason, /link peer refused the connection/, 'the status names the link peer')
  t.notMatch(status.failing?.reason, /root/i, 'and not the root')
})
