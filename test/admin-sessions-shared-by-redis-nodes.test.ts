// Two nodes of one site (real `fedgate start` processes) on one index in a real redis-server: a sign-in
// made on one node opens the admin page on the other, and a sign-out on the other ends it on the first.
import t from 'tap'
import { tempDir } from './helpers/sites.ts'
import { startRedis } from './helpers/redis.ts'
import { keysBefore } from './helpers/process.ts'
import { startNode, writeNode, type NodeOptions } from './helpers/nodes.ts'
import { startRoot } from './helpers/sync.ts'

t.test('a sign-in on one Redis node holds on the other, and so does a sign-out', async (t) => {
  const dir = tempDir(t)
  const redis = await startRedis(t)
  const root = await startRoot(t, dir)
  const node = (name: string): NodeOptions => ({ dir, name, rootUrl: root.url, key: root.readKey, redisUrl: redis.url, extra: 'sync: { interval: 1h, stream: { enabled: false } }\n' })
  const [adminKey] = await keysBefore(writeNode(node('node-a')), [{ name: 'ops', scope: 'admin' }])
  const a = await startNode(t, node('node-a'))
  const b = await startNode(t, node('node-b'))

  const signedIn = await a.get('/admin/sign-in', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: a.url },
    body: new URLSearchParams({ key: adminKey! }).toString(),
  })
  t.equal(signedIn.status, 303, 'signed in on node a')
  const cookie = String(signedIn.headers['set-cookie']).split(';')[0]!
  const page = (await b.get('/admin', { headers: { cookie } })).body.toString()
  const csrf = /<meta name="csrf" content="([^"]+)">/.exec(page)?.[1]
  t.ok(csrf, 'node b shows the signed-in page')
  t.equal((await b.get('/admin/api/state', { headers: { cookie } })).status, 200, 'node b answers the API')

  const out = await b.get('/admin/api/sign-out', { method: 'POST', headers: { cookie, 'x-fedgate-csrf': csrf!, origin: b.url, 'sec-fetch-site': 'same-origin' } })
  t.equal(out.status, 200, 'signed out on node b')
  t.equal((await a.get('/admin/api/state', { headers: { cookie } })).status, 401, 'node a knows the session no more')
})
