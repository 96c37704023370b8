import t from 'tap'
import { startOrigin, startSite, childYaml, writeSecret, tempDir, fetchText } from './helpers/sites.ts'

const KEY = 'fgk_strip_' + 's'.repeat(30)

for (const keyHeader of ['authorization', 'x-apikey'] as const) {
  t.test(`reads carry only the site key (keyHeader: ${keyHeader}), never the client's credentials`, async (t) => {
    const origin = await startOrigin(t)
    const dir = tempDir(t)
    writeSecret(dir, 'root.key', KEY)
    const site = await startSite(t, childYaml('strip', origin.url, `  keyHeader: ${keyHeader}\n  health: { interval: 1h }\n`), { dir })
    for (const method of ['GET', 'HEAD', 'OPTIONS']) {
      const res = await fetchText(site, '/pkg/a', {
        method,
        headers: { authorization: 'Bearer client-token-123', 'x-apikey': 'client-apikey-456', cookie: 'session=client-cookie-789' },
      })
      t.equal(res.status, 200, `${method} forwarded`)
      const seen = origin.seen.filter((s) => s.url === '/pkg/a').at(-1)!
      t.equal(seen.method, method)
      if (keyHeader === 'authorization') {
        t.equal(seen.headers.authorization, `Bearer ${KEY}`, 'the root sees the site key as a Bearer token')
        t.equal(seen.headers['x-apikey'], undefined, "the client's X-ApiKey is stripped")
      } else {
        t.equal(seen.headers['x-apikey'], KEY, 'the root sees the site key as X-ApiKey')
        t.equal(seen.headers.authorization, undefined, "the client's Authorization is stripped")
      }
      t.equal(seen.headers.cookie, undefined, 'cookies are stripped')
      const all = JSON.stringify(seen.headers)
      for (const c of ['client-token-123', 'client-apikey-456', 'client-cookie-789']) t.notOk(all.includes(c), `${c} never reaches the root`)
    }
  })
}

t.test('forward.passCookies lets cookies through on reads, still without client credentials', async (t) => {
  const origin = await startOrigin(t)
  const dir = tempDir(t)
  writeSecret(dir, 'root.key', KEY)
  const site = await startSite(t, childYaml('cookies', origin.url, 'forward: { passCookies: true }\n'), { dir })
  const res = await fetchText(site, '/c', { headers: { authorization: 'Bearer client-token', cookie: 'a=1' } })
  t.equal(res.status, 200)
  const seen = origin.seen.find((s) => s.url === '/c')!
  t.equal(seen.headers.cookie, 'a=1')
  t.equal(seen.headers.authorization, `Bearer ${KEY}`)
})
