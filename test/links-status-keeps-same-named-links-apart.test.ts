// Each side names its links, so a site may have an incoming and an outgoing link of the same name. Link
// status kept one entry per name: the two were merged into one, showing the outgoing direction with the
// incoming link's mode. They are kept apart by direction now, in the status API and in what is saved.
import t from 'tap'
import { fetchText, tempDir } from './helpers/sites.ts'
import { adminKeyOf, bearer } from './helpers/hub.ts'
import { startLinked } from './helpers/links.ts'
import type { LinkStatus } from '../plugins/federation/status.ts'

t.test('an incoming and an outgoing link of the same name each have their status', async (t) => {
  const dir = tempDir(t)
  const tokyo = await startLinked(t, 'tokyo', { dir, owns: ['tokyo/*'] })
  const token = (await tokyo.links.create({ name: 'pair', repositories: ['tokyo/*'], mode: 'pull' })).token
  const london = await startLinked(t, 'london', { dir, owns: ['london/*'], links: [{ name: 'pair', url: tokyo.url, token, mode: 'pull', repositories: ['tokyo/*'] }] })
  // london also accepts a link of that name (paris pushing into it, say).
  await london.links.create({ name: 'pair', repositories: ['paris/*'], mode: 'push' })
  await london.engine('pair').exchange()
  const res = await fetchText(london, '/api/v1/federation/links/status', { headers: bearer(await adminKeyOf(london)) })
  const links = (JSON.parse(res.body) as { links: LinkStatus[] }).links.filter((l) => l.name === 'pair')
  t.same(
    links.map((l) => ({ direction: l.direction, mode: l.mode, peer: l.peer })),
    [
      { direction: 'incoming', mode: 'push', peer: undefined },
      { direction: 'outgoing', mode: 'pull', peer: 'tokyo' },
    ],
    'two entries: the incoming push link, and the outgoing pull link that reached tokyo',
  )
})
