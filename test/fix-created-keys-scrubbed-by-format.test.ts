// Keys created over HTTP used to be remembered, each, by the log scrubber for the process's life (memory
// that any admin could grow, and a request-log memo thrown away at every creation). They are scrubbed by
// their shape instead: a created key never appears in logs, and creating keys adds nothing to remember.
import t from 'tap'
import { secretsGeneration } from '../gateway/config/secret.ts'
import { fetchText } from './helpers/sites.ts'
import { bearer, startRoot } from './helpers/hub.ts'

t.test('keys created over HTTP never reach the logs, and the scrubber does not grow per key', async (t) => {
  const root = await startRoot(t)
  const before = secretsGeneration()
  const keys: string[] = []
  for (let i = 0; i < 20; i++) {
    const res = await fetchText(root, '/api/v1/admin/keys', { method: 'POST', headers: bearer(root.admin), body: JSON.stringify({ name: `k${i}`, scope: 'read' }) })
    t.equal(res.status, 201)
    keys.push(JSON.parse(res.body).key as string)
  }
  const recreated = await fetchText(root, `/api/v1/admin/keys/${keys[0]!.slice(4, 20)}/recreate`, { method: 'POST', headers: bearer(root.admin) })
  t.equal(recreated.status, 200)
  keys.push(JSON.parse(recreated.body).key as string)
  t.equal(secretsGeneration(), before, 'no secret was remembered for the created keys')

  // Each key where a log line carries it: the logged path, and an error about it.
  for (const key of keys) {
    t.equal((await fetchText(root, `/no/such/${key}`)).status, 404)
    root.gw.log.warn({ detail: `a message quoting ${key}` }, `about ${key}`)
  }
  const lines = await root.logs.waitFor((l) => l.msg === 'request' && String(l.path).startsWith('/no/such/'), keys.length)
  t.equal(lines.length, keys.length, 'every request was logged')
  for (const l of lines) t.equal(l.path, '/no/such/[redacted]')
  for (const key of keys) t.notOk(root.logs.text.includes(key), 'the key is nowhere in the logs')
  t.equal(root.logs.lines().filter((l) => l.msg === 'about [redacted]').length, keys.length, 'other log lines are scrubbed too')
})
