// A key disabled (or recreated) while its holder is subscribed: the stream is closed at once with 4401,
// before any later commit is announced to it; a subscriber with another key goes on hearing commits.
import t from 'tap'
import { tempDir } from './helpers/sites.ts'
import { startRoot, publish, issueKey, blobBytes, waitFor } from './helpers/sync.ts'
import { subscribe } from './helpers/stream.ts'

t.test('disabling a subscribed key closes its stream at once', async (t) => {
  const dir = tempDir(t)
  const root = await startRoot(t, dir)
  const doomed = await issueKey(root, 'read', 'doomed')
  const sub = await subscribe(root, { authorization: `Bearer ${doomed}` })
  const other = await subscribe(root, { authorization: `Bearer ${root.readKey}` })
  await waitFor('hello', () => sub.messages.some((m) => m.type === 'hello'))

  const keys = root.gw.service<{ setDisabled(id: string, d: boolean): Promise<unknown> }>('keys')!
  await keys.setDisabled(/^fgk_([0-9a-f]{16})_/.exec(doomed)![1]!, true)
  t.equal(await sub.closed, 4401, 'closed with 4401 (key disabled) without waiting for a commit')
  await publish(root, 'acme/app:1.0', blobBytes(100, 1))
  await waitFor('the other subscriber told', () => other.messages.some((m) => m.type === 'commit' && m.repo === 'acme/app'))
  t.same(sub.messages.filter((m) => m.type === 'commit'), [], 'the disabled key heard no commit')
  other.ws.close()
})
