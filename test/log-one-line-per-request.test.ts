import t from 'tap'
import { startOrigin, startSite, childYaml, writeSecret, tempDir, fetchText } from './helpers/sites.ts'

t.test('one structured JSON line per request: method, path without query, status, ms, upstream, cache', async (t) => {
  const origin = await startOrigin(t)
  const dir = tempDir(t)
  writeSecret(dir, 'root.key', 'fgk_reqlog_' + 'l'.repeat(30))
  const site = await startSite(t, childYaml('reqlog', origin.url, '  health: { interval: 1h }\n'), { dir, clock: t.clock })
  await fetchText(site, '/pkg/a?token=query-secret-123&x=1', { headers: { authorization: 'Bearer client-secret-456' } })
  await fetchText(site, '/health')
  await fetchText(site, '/w', { method: 'POST', body: 'x' })
  const lines = await site.logs.waitFor((l) => l.msg === 'request', 3)
  t.equal(lines.length, 3, 'one line per request')
  const [fwd, health, write] = lines
  t.match(fwd, { method: 'GET', path: '/pkg/a', status: 200, route: 'forward', upstream: origin.url, cache: 'bypass', site: 'reqlog', level: 'info' })
  t.type(fwd!.ms, 'number')
  t.match(health, { method: 'GET', path: '/health', status: 200, route: 'health' })
  t.match(write, { method: 'POST', path: '/w', status: 405, error: 'GW_ERR_WRITES_DISABLED' })
  t.notOk(site.logs.text.includes('query-secret-123'), 'no query string in the log')
  t.notOk(site.logs.text.includes('client-secret-456'), 'no client credential in the log')
  t.notOk(site.logs.text.includes('fgk_reqlog_'), 'no site key in the log')
})

t.test('log.requests: false turns request lines off', async (t) => {
  const origin = await startOrigin(t)
  const dir = tempDir(t)
  writeSecret(dir, 'root.key', 'fgk_reqlog_' + 'l'.repeat(30))
  const site = await startSite(t, childYaml('quiet', origin.url, '  health: { interval: 1h }\n').replace('log: { level: info }', 'log: { level: info, requests: false }'), { dir, clock: t.clock })
  await fetchText(site, '/pkg/a')
  // Waits the bounded time for a line that must never come (request lines are written in batches).
  t.equal((await site.logs.waitFor((l) => l.msg === 'request')).length, 0)
})
