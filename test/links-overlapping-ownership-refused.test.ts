// Two sites that claim overlapping namespaces cannot be linked: the link's hello is refused (409
// GW_ERR_OWNERSHIP_OVERLAP) naming both claims, both sides' status says why, and nothing moves.
import t from 'tap'
import { publish } from './helpers/hub.ts'
import { linkStatus, startLinked } from './helpers/links.ts'
import { fetchText, tempDir } from './helpers/sites.ts'

t.test('a link between sites with overlapping ownership is refused at set-up', async (t) => {
  const dir = tempDir(t)
  const tokyo = await startLinked(t, 'tokyo', { dir, owns: ['tokyo/*', 'tools/**'] })
  const token = (await tokyo.links.create({ name: 'london', repositories: ['tools/*', 'london/*'], mode: 'mirror' })).token
  const london = await startLinked(t, 'london', { dir, owns: ['london/*', 'tools/cli'], links: [{ name: 'london', url: tokyo.url, token, mode: 'mirror', repositories: ['tools/*', 'london/*'] }] })
  t.equal((await publish(london, london.publish, 'london/app', '1.0', 'x')).status, 201)

  await t.rejects(london.engine('london').exchange(), /claim|owns/, 'the exchange fails')
  const out = await linkStatus(london, 'outgoing')
  t.match(out.failing?.reason, /tools\/\*\* .*tools\/cli|overlap/, 'london\'s status says why')
  const inc = await linkStatus(tokyo, 'incoming', 'london')
  t.match(inc.failing?.reason, /ownership overlap: tokyo owns tools\/\*\*, london claims tools\/cli/, 'tokyo\'s too')
  t.equal((await fetchText(tokyo, '/api/v1/repos/london/app')).status, 404, 'nothing moved')
})
