import t from 'tap'
import { startOrigin, startSite, childYaml, writeSecret, tempDir, fetchText } from './helpers/sites.ts'

t.test('a read is forwarded to the root with the site key, and the key never reaches the client', async (t) => {
  const origin = await startOrigin(t, (req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ path: req.url }))
  })
  const dir = tempDir(t)
  const key = 'fgk_test_' + 'k'.repeat(32)
  writeSecret(dir, 'root.key', key)
  const site = await startSite(t, childYaml('tokyo', origin.url), { dir })
  const res = await fetchText(site, '/api/v1/repos/mozilla/firefox?x=1', { headers: { authorization: 'Bearer client-own-token' } })
  t.equal(res.status, 200)
  t.same(JSON.parse(res.body), { path: '/api/v1/repos/mozilla/firefox?x=1' })
  const seen = origin.seen.find((s) => s.url.startsWith('/api/'))!
  t.equal(seen.headers.authorization, `Bearer ${key}`, 'root got the site key')
  t.notOk(JSON.stringify(res.headers).includes(key), 'no key in response headers')
  t.notOk(res.body.includes(key), 'no key in the body')
  t.equal((await site.logs.waitFor((l) => l.msg === 'request' && l.route === 'forward')).length, 1, 'the request line was written')
  t.notOk(site.logs.text.includes(key), 'no key in any log line')
  t.notOk(site.logs.text.includes('client-own-token'), 'no client token in logs')
})
