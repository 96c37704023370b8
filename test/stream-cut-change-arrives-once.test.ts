// The stream cut mid-way (the TCP path to the root killed): the child falls back to polling, reconnects
// once the path is back, and the tag published during the cut arrives through the catch-up, once.
import t from 'tap'
import { request } from 'undici'
import { tempDir } from './helpers/sites.ts'
import { startRoot, startChild, startTcpProxy, publish, inSync, issueKey, blobBytes, waitFor } from './helpers/sync.ts'
import { live, serves, streamOf } from './helpers/stream.ts'

t.test('a change made while the stream is cut arrives once after the reconnect', async (t) => {
  const dir = tempDir(t)
  const root = await startRoot(t, dir)
  await publish(root, 'acme/app:1.0', blobBytes(1000, 1))
  const path = await startTcpProxy(t, { host: '127.0.0.1', port: root.gw.httpsPort })
  const child = await startChild(t, dir, 'child', path.url, root.readKey, 'repositories: [acme/app]\nsync: { interval: 1h, stream: { reconnect: { initial: 100ms, max: 1s } } }\n')
  await inSync(child, 'acme/app')
  await live(child)

  await path.kill()
  await waitFor('the child polling', () => streamOf(child).state === 'polling')
  const id = await publish(root, 'acme/app:2.0', blobBytes(2000, 2))
  await path.revive()
  t.ok(await serves(child, 'acme/app', '2.0', id), 'the tag published during the cut is served after the reconnect')
  t.equal(streamOf(child).state, 'live', 'the stream is live again')

  const readKey = await issueKey(child, 'read', 'reader')
  const res = await request(`${child.url}/api/v1/federation/changes?since=0&repo=acme/app`, { headers: { authorization: `Bearer ${readKey}` }, dispatcher: child.agent })
  const feed = (await res.body.json()) as { changes: { op: string; tag: string }[] }
  t.equal(feed.changes.filter((c) => c.op === 'tag' && c.tag === '2.0').length, 1, 'the child committed the change once')
  const fetched = await root.logs.waitFor((l) => l.msg === 'request' && String(l.path) === `/api/v1/blobs/sha256:${id}`)
  t.equal(fetched.length, 1, 'its blob crossed the link once')
})
