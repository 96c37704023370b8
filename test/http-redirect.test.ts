import t from 'tap'
import { startSite, tempDir } from './helpers/sites.ts'
import { connectTcp, sendRaw } from './helpers/raw-http.ts'

const yaml = 'site: { name: redirect, role: root }\nlisten:\n  https: { host: 127.0.0.1, port: 0 }\n  http: { host: 127.0.0.1, port: 0, redirectToHttps: true }\ntls: { dir: certs, hosts: [mirror.example] }\n'

t.test('plain HTTP is answered with a 308 to the HTTPS URL, on the HTTPS port', async (t) => {
  const site = await startSite(t, yaml, { dir: tempDir(t) })
  const httpPort = site.gw.httpPort!
  const httpsPort = site.gw.httpsPort
  const cases: [string, string][] = [
    [`127.0.0.1:${httpPort}`, `https://127.0.0.1:${httpsPort}/pkg/a?x=1`],
    [`mirror.example:${httpPort}`, `https://mirror.example:${httpsPort}/pkg/a?x=1`],
    ['mirror.example', `https://mirror.example:${httpsPort}/pkg/a?x=1`],
    ['[::1]:80', `https://[::1]:${httpsPort}/pkg/a?x=1`],
  ]
  for (const [host, location] of cases) {
    const s = await connectTcp(t, httpPort)
    const res = await sendRaw(s, `GET /pkg/a?x=1 HTTP/1.1\r\nHost: ${host}\r\n\r\n`)
    if (res === 'closed') {
      t.fail('closed')
      continue
    }
    t.equal(res.status, 308, `Host ${host} → 308`)
    t.equal(res.headers.location, location)
    s.destroy()
  }
})

t.test('a forged Host header cannot make a malicious Location', async (t) => {
  const site = await startSite(t, yaml, { dir: tempDir(t) })
  const bad = ['evil/x', 'evil.example/path', 'evil.example@good', 'evil.example:80:80', 'evil.example\\x', 'evil.example?x', 'evil.example#x', '']
  for (const host of bad) {
    const s = await connectTcp(t, site.gw.httpPort!)
    const res = await sendRaw(s, `GET /a HTTP/1.1\r\nHost: ${host}\r\n\r\n`)
    s.destroy()
    if (res === 'closed') {
      t.pass(`Host ${JSON.stringify(host)}: connection closed`)
      continue
    }
    if (res.status !== 308) {
      t.equal(res.status, 400, `Host ${JSON.stringify(host)} refused`)
      continue
    }
    const loc = new URL(res.headers.location!)
    t.equal(loc.hostname, 'localhost', `Host ${JSON.stringify(host)} → falls back to localhost (${res.headers.location})`)
    t.equal(loc.port, String(site.gw.httpsPort))
    t.equal(loc.pathname, '/a')
  }
  // A path that looks like an authority stays a path on the site's own host.
  const s = await connectTcp(t, site.gw.httpPort!)
  const res = await sendRaw(s, `GET //evil.example/x HTTP/1.1\r\nHost: localhost\r\n\r\n`)
  if (res !== 'closed' && res.status === 308) t.equal(new URL(res.headers.location!).hostname, 'localhost', 'a //host path does not change the host')
  else t.pass('refused')
})
