// A link's token on the change stream: a link that downloads is told of its own repositories only; a
// push-only link's token is refused with 403 and told nothing; disabling the link closes its stream (4401).
import t from 'tap'
import { tempDir } from './helpers/sites.ts'
import { startRoot, publish, blobBytes, waitFor } from './helpers/sync.ts'
import { subscribe } from './helpers/stream.ts'
import type { LinkRing } from '../plugins/hub/links.ts'

t.test('link tokens hear only what their link carries', async (t) => {
  const dir = tempDir(t)
  const root = await startRoot(t, dir)
  const links = root.gw.service<LinkRing>('links')!
  const pull = (await links.create({ name: 'london', repositories: ['london/*'], mode: 'pull' })).token
  const push = (await links.create({ name: 'paris', repositories: ['paris/*'], mode: 'push' })).token

  const refused = await subscribe(root, { authorization: `Bearer ${push}` })
  t.equal(refused.refusedWith, 403, 'a push-only link may not subscribe')
  const london = await subscribe(root, { authorization: `Bearer ${pull}` })
  const all = await subscribe(root, { authorization: `Bearer ${root.readKey}` })
  await publish(root, 'tokyo/app:1.0', blobBytes(100, 1))
  await publish(root, 'london/app:1.0', blobBytes(100, 2))
  await waitFor('the read key told of both', () => all.messages.filter((m) => m.type === 'commit').length === 2)
  await waitFor('the link told of its own', () => london.messages.some((m) => m.type === 'commit'))
  t.same(london.messages.filter((m) => m.type === 'commit').map((m) => m.repo), ['london/app'], 'the link hears london/app, never tokyo/app')
  t.same(refused.messages, [], 'the refused token heard nothing')

  await links.setDisabled('london', true)
  t.equal(await london.closed, 4401, 'disabling the link closes its stream at once')
  all.ws.close()
})
