import t from 'tap'
import { startOrigin, startSite, childYaml, writeSecret, tempDir, fetchText } from './helpers/sites.ts'
import { connectTls } from './helpers/raw-http.ts'

t.test('POST, PUT, PATCH and DELETE are refused with a 405 JSON error and never reach the root', async (t) => {
  const origin = await startOrigin(t)
  const dir = tempDir(t)
  writeSecret(dir, 'root.key', 'fgk_writes_' + 'w'.repeat(30))
  const site = await startSite(t, childYaml('nowrites', origin.url, '  health: { interval: 1h }\n'), { dir })
  for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
    const res = await fetchText(site, '/uploads/x', { method, headers: { 'content-type': 'application/json' }, body: method === 'DELETE' ? undefined : '{"a":1}' })
    t.equal(res.status, 405, `${method} → 405`)
    t.match(res.headers['content-type'], /^application\/json/)
    t.match(res.headers.allow, /GET/, 'Allow names what is accepted')
    const body = JSON.parse(res.body)
    t.equal(body.error.code, 'GW_ERR_WRITES_DISABLED')
    t.match(body.error.message, /allowWrites/, 'the message says how to enable writes')
  }
  // npm prints "<status> <status text> - <method> <url>": the status line itself says what is wrong.
  const socket = await connectTls(t, site.gw.httpsPort, site.ca)
  socket.write('PUT /uploads/npm-package HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\n\r\n{}')
  const statusLine = await new Promise<string>((r) => socket.once('data', (c: Buffer) => r(c.toString().split('\r\n')[0]!)))
  t.match(statusLine, /^HTTP\/1\.1 405 Writes through this gateway are disabled \(forward\.allowWrites is false\)/)
  t.equal(origin.seen.filter((s) => s.url !== '/health').length, 0, 'the root saw no write')
  t.ok((await site.logs.waitFor((l) => l.msg === 'request' && l.status === 405)).length > 0, 'each refusal is logged')
})
