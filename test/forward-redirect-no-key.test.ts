import t from 'tap'
import { startOrigin, startSite, childYaml, writeSecret, tempDir, fetchText } from './helpers/sites.ts'

t.test('a redirect from the root to another host reaches the client untouched and the key never travels there', async (t) => {
  const key = 'fgk_redirect_' + 'r'.repeat(30)
  const elsewhere = await startOrigin(t)
  const location = `${elsewhere.url}/blobs/sha256:abc?sig=xyz`
  const origin = await startOrigin(t, (req, res) => {
    res.writeHead(302, { location, 'content-length': 0 })
    res.end()
  })
  const dir = tempDir(t)
  writeSecret(dir, 'root.key', key)
  const site = await startSite(t, childYaml('redir', origin.url, '  health: { interval: 1h }\n'), { dir })
  const res = await fetchText(site, '/blobs/abc')
  t.equal(res.status, 302, 'the redirect is passed on')
  t.equal(res.headers.location, location, 'Location untouched')
  t.equal(origin.seen.find((s) => s.url === '/blobs/abc')?.headers.authorization, `Bearer ${key}`, 'the root itself got the key')
  t.equal(elsewhere.seen.length, 0, 'the gateway never followed the redirect')
  t.notOk(JSON.stringify(res.headers).includes(key), 'no key in the response')
})
