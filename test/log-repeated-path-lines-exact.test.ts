import t from 'tap'
import { startOrigin, startSite, childYaml, writeSecret, tempDir, fetchText } from './helpers/sites.ts'

// The request log reuses a path's last line parts: a request to the same path with another method,
// status, route or error must still get its own fields, never the previous request's.
t.test('requests to one path with different answers each log their own fields', async (t) => {
  const origin = await startOrigin(t)
  const dir = tempDir(t)
  writeSecret(dir, 'root.key', 'fgk_repeat_' + 'r'.repeat(30))
  const site = await startSite(t, childYaml('repeat', origin.url, '  health: { interval: 1h }\n'), { dir, clock: t.clock })
  await fetchText(site, '/health')
  await fetchText(site, '/health')
  await fetchText(site, '/health', { method: 'POST', body: 'x' })
  await fetchText(site, '/health')
  const lines = await site.logs.waitFor((l) => l.msg === 'request', 4)
  t.equal(lines.length, 4, 'one line per request')
  t.match(lines[0], { method: 'GET', path: '/health', status: 200, route: 'health' })
  t.match(lines[1], { method: 'GET', path: '/health', status: 200, route: 'health' })
  t.match(lines[2], { method: 'POST', path: '/health', status: 405, error: 'GW_ERR_WRITES_DISABLED' })
  t.not(lines[2]!.route, 'health', 'its own route')
  t.match(lines[3], { method: 'GET', path: '/health', status: 200, route: 'health' })
  t.notOk('error' in lines[3]!, 'the error of the request before is not repeated')
})
