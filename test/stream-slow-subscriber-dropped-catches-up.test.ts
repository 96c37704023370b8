// A subscriber that stops reading (its path to the root stalls) is dropped by the root's heartbeat
// without holding back another child; once its path flows again it reconnects and catches up.
import t from 'tap'
import { tempDir } from './helpers/sites.ts'
import { startRoot, startChild, startTcpProxy, publish, inSync, blobBytes, waitFor } from './helpers/sync.ts'
import { live, serves, subscribersOf } from './helpers/stream.ts'

t.test('a stalled subscriber is dropped, the others still hear, and it catches up later', async (t) => {
  const dir = tempDir(t)
  const root = await startRoot(t, dir, 'root', 'hub: { stream: { heartbeat: 500ms } }\n')
  await publish(root, 'acme/app:1.0', blobBytes(1000, 1))
  const path = await startTcpProxy(t, { host: '127.0.0.1', port: root.gw.httpsPort })
  const hourly = 'repositories: [acme/app]\nsync: { interval: 1h, stream: { reconnect: { initial: 100ms, max: 1s } } }\n'
  const slow = await startChild(t, dir, 'slow', path.url, root.readKey, hourly)
  const quick = await startChild(t, dir, 'quick', root.url, root.readKey, hourly)
  await inSync(slow, 'acme/app')
  await inSync(quick, 'acme/app')
  await live(slow)
  await live(quick)

  path.stall()
  await waitFor('the root dropping the stalled subscriber', () => subscribersOf(root).dropped >= 1)
  const id = await publish(root, 'acme/app:2.0', blobBytes(2000, 2))
  t.ok(await serves(quick, 'acme/app', '2.0', id), 'the other child is told and syncs meanwhile')
  path.release()
  t.ok(await serves(slow, 'acme/app', '2.0', id), 'the dropped child catches up once its path flows again')
})
