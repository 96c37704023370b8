import t from 'tap'
import { startOrigin, startSite, childYaml, writeSecret, tempDir, fetchText } from './helpers/sites.ts'

t.test('POST, PUT, PATCH and DELETE are refused with a 405 JSON error and never reach the root', async (t) => {
  const origin = await startOrigin(t)
  const dir = tempDir(t)
  writeSecret(dir, 'root.key', 'fgk_writes_' + 'w'.repeat(30))
  const site = await startSite(t, childYaml('nowrites', origin.url, '  health: { interval: 1h }\n'), { dir })
  for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
    const res = await fetchText(site, '/-/package/x', { method, headers: { 'content-type': 'application/json' }, body: method === 'DELETE' ? undefined : '{"a":1}' })
    t.equal(res.status, 405, `${method} → 405`)
    t.match(res.headers['content-type'], /^application\/json/)
    t.match(res.headers.allow, /GET/, 'Allow names what is accepted')
    const body = JSON.parse(res.body)
    t.equal(body.error.code, 'GW_ERR_WRITES_DISABLED')
    t.match(body.error.message, /allowWrites/, 'the message says how to enable writes')
  }
  t.equal(origin.seen.filter((s) => s.url !== '/health').length, 0, 'the root saw no write')
  t.match(site.logs.text, /"status":405/, 'each refusal is logged')
})
