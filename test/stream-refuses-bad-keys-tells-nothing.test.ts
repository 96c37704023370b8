// The change stream is refused before a single announcement to callers without a valid key: none, a
// made-up one, a disabled one. Each gets 401 at the upgrade and hears nothing of later commits.
import t from 'tap'
import { tempDir } from './helpers/sites.ts'
import { startRoot, publish, issueKey, blobBytes, waitFor } from './helpers/sync.ts'
import { subscribe, subscribersOf } from './helpers/stream.ts'

t.test('bad, unknown and disabled keys are refused and told nothing', async (t) => {
  const dir = tempDir(t)
  const root = await startRoot(t, dir)
  const disabled = await issueKey(root, 'read', 'gone')
  const keys = root.gw.service<{ setDisabled(id: string, d: boolean): Promise<unknown> }>('keys')!
  await keys.setDisabled(/^fgk_([0-9a-f]{16})_/.exec(disabled)![1]!, true)

  const callers = {
    'no key': {},
    'a malformed key': { authorization: 'Bearer not-a-key' },
    'an unknown key': { authorization: `Bearer fgk_0123456789abcdef_${'A'.repeat(43)}` },
    'a disabled key': { authorization: `Bearer ${disabled}` },
    'a disabled key as X-ApiKey': { 'x-apikey': disabled },
  }
  const subs = []
  for (const [who, headers] of Object.entries(callers)) {
    const sub = await subscribe(root, headers)
    t.equal(sub.refusedWith, 401, `${who}: 401 at the upgrade`)
    subs.push(sub)
  }
  const good = await subscribe(root, { authorization: `Bearer ${root.readKey}` })
  await publish(root, 'acme/app:1.0', blobBytes(100, 1))
  await waitFor('the good subscriber told', () => good.messages.some((m) => m.type === 'commit'))
  for (const sub of subs) t.same(sub.messages, [], 'a refused caller heard nothing')
  t.equal(subscribersOf(root).refused, Object.keys(callers).length, 'each refusal counted')
  t.notOk(root.logs.text.includes(disabled), 'the disabled key is in no log line')
  good.ws.close()
})
