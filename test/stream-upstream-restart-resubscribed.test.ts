// The upstream restarted: the child notices the stream is gone, polls meanwhile, resubscribes once the
// upstream listens again, and a publish after the restart arrives with rounds an hour apart.
import t from 'tap'
import { tempDir, startSite } from './helpers/sites.ts'
import { startRoot, startChild, publish, inSync, blobBytes, waitFor, type RootSite } from './helpers/sync.ts'
import { live, serves, streamOf } from './helpers/stream.ts'

t.test('a child resubscribes to a restarted upstream', async (t) => {
  const dir = tempDir(t)
  const first = await startRoot(t, dir)
  await publish(first, 'acme/app:1.0', blobBytes(1000, 1))
  const port = first.gw.httpsPort
  const child = await startChild(t, dir, 'child', first.url, first.readKey, 'repositories: [acme/app]\nsync: { interval: 1h, stream: { reconnect: { initial: 100ms, max: 500ms } } }\n')
  await inSync(child, 'acme/app')
  await live(child)

  await first.gw.close()
  await waitFor('the child polling', () => streamOf(child).state === 'polling')
  // The same site again, on the same port and store (its keys included).
  const again = await startSite(t, `site: { name: root, role: root }\nlisten:\n  https: { host: 127.0.0.1, port: ${port} }\ntls: { dir: certs }\n`, { dir, name: 'root' })
  await live(child)
  const root: RootSite = Object.assign(again, { readKey: first.readKey, publishKey: first.publishKey })
  const id = await publish(root, 'acme/app:2.0', blobBytes(2000, 2))
  t.ok(await serves(child, 'acme/app', '2.0', id), 'a publish after the restart reaches the child through the new stream')
})
