// While a site's Redis index is down, a request that needs it (/health and /metrics with a key: the
// key is checked in the index) is answered 503 GW_ERR_INDEX_UNAVAILABLE naming the index, not a 500
// GW_ERR_INTERNAL logged with a stack per request.
import t from 'tap'
import { fetchText, tempDir } from './helpers/sites.ts'
import { startRedis } from './helpers/redis.ts'
import { issueKey, startRoot } from './helpers/sync.ts'

t.test('/health and /metrics with a key answer 503 GW_ERR_INDEX_UNAVAILABLE while Redis is down', async (t) => {
  const dir = tempDir(t)
  const redis = await startRedis(t)
  const site = await startRoot(t, dir, 'root', `store: { index: "${redis.url}" }\n`)
  const admin = await issueKey(site, 'admin')
  const auth = { authorization: `Bearer ${admin}` }
  t.equal((await fetchText(site, '/health', { headers: auth })).status, 200, 'with Redis up, /health answers')

  await redis.stop()
  for (const path of ['/health', '/metrics']) {
    const r = await fetchText(site, path, { headers: auth })
    t.equal(r.status, 503, `${path}: 503`)
    const body = JSON.parse(r.body) as { error: { code: string; message: string } }
    t.equal(body.error.code, 'GW_ERR_INDEX_UNAVAILABLE', `${path}: the index is named as the cause`)
    t.match(body.error.message, `127.0.0.1:${redis.port}`, `${path}: with its URL`)
  }
  t.notOk(site.logs.lines().some((l) => l.msg === 'handler failed'), 'no stack logged as a handler failure')
})
