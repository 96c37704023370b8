// The plain-HTTP listener's 308 to HTTPS keeps the Host the client named only when the site answers for
// it (its certificate's names, tls.hosts, site.hosts); any other well-formed Host is sent to localhost,
// so a forged Host cannot make the site send clients elsewhere. X-Forwarded-Host counts only from a
// trusted proxy (none here).
import t from 'tap'
import { startSite, tempDir } from './helpers/sites.ts'
import { connectTcp, sendRaw } from './helpers/raw-http.ts'

const yaml = 'site: { name: redirect, role: root, hosts: [mirror.example] }\nlisten:\n  https: { host: 127.0.0.1, port: 0 }\n  http: { host: 127.0.0.1, port: 0, redirectToHttps: true }\ntls: { dir: certs }\n'

t.test('the redirect names only hosts the site answers for', async (t) => {
  const site = await startSite(t, yaml, { dir: tempDir(t) })
  const httpPort = site.gw.httpPort!
  const https = site.gw.httpsPort
  const cases: [string, string, string][] = [
    [`evil.example:${httpPort}`, '', `https://localhost:${https}/a`],
    ['mirror.example.evil.example', '', `https://localhost:${https}/a`],
    [`mirror.example:${httpPort}`, '', `https://mirror.example:${https}/a`],
    [`localhost:${httpPort}`, 'X-Forwarded-Host: evil.example\r\n', `https://localhost:${https}/a`],
  ]
  for (const [host, extra, location] of cases) {
    const s = await connectTcp(t, httpPort)
    const res = await sendRaw(s, `GET /a HTTP/1.1\r\nHost: ${host}\r\n${extra}\r\n`)
    s.destroy()
    if (res === 'closed') {
      t.fail(`Host ${host}: closed`)
      continue
    }
    t.equal(res.status, 308)
    t.equal(res.headers.location, location, `Host ${host} ${extra.trim()} → ${location}`)
  }
})
