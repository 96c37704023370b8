import t from 'tap'
import tls from 'node:tls'
import { existsSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { startSite, tempDir, fetchText } from './helpers/sites.ts'
import { connectTls } from './helpers/raw-http.ts'

const rootYaml = 'site: { name: certsite, role: root }\nlisten:\n  https: { host: 127.0.0.1, port: 0 }\ntls: { dir: certs }\n'

t.test('a site with no certificates generates a CA and a server certificate that clients trusting ca.crt accept', async (t) => {
  const dir = tempDir(t)
  const site = await startSite(t, rootYaml, { dir })
  const certs = join(dir, 'certs')
  for (const f of ['ca.crt', 'ca.key', 'certsite.crt', 'certsite.key']) t.ok(existsSync(join(certs, f)), `${f} written`)
  for (const f of ['ca.key', 'certsite.key']) t.equal(statSync(join(certs, f)).mode & 0o777, 0o600, `${f} has mode 0600`)
  t.match(site.logs.text, /generated TLS certificates/, 'start says it generated them')

  const byName = await connectTls(t, site.gw.httpsPort, site.ca, 'localhost')
  t.ok(byName.authorized, 'verified with servername localhost')
  t.match(byName.getProtocol(), /^TLSv1\.[23]$/)
  byName.end()

  // No SNI for an IP address: the default certificate must carry 127.0.0.1 as an IP SAN.
  const byIp = tls.connect({ host: '127.0.0.1', port: site.gw.httpsPort, ca: site.ca })
  t.teardown(() => byIp.destroy())
  await new Promise<void>((resolve, reject) => {
    byIp.once('secureConnect', resolve)
    byIp.once('error', reject)
  })
  t.ok(byIp.authorized, 'verified by IP 127.0.0.1')
  t.match(byIp.getPeerCertificate().subjectaltname, /IP Address:127\.0\.0\.1/)
  byIp.end()

  t.equal((await fetchText(site, '/health')).status, 200, 'HTTPS requests work against the generated CA')
})

t.test('TLS 1.1 clients are refused (minVersion TLSv1.2)', async (t) => {
  const dir = tempDir(t)
  const site = await startSite(t, rootYaml, { dir })
  // SECLEVEL=0 lets this client offer TLS 1.1 at all, so the refusal seen is the server's.
  const old = tls.connect({ host: '127.0.0.1', port: site.gw.httpsPort, ca: site.ca, servername: 'localhost', minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' })
  t.teardown(() => old.destroy())
  const err = await new Promise<NodeJS.ErrnoException>((resolve, reject) => {
    old.once('secureConnect', () => reject(new Error('a TLS 1.1 handshake succeeded')))
    old.once('error', resolve)
  })
  t.match(err.code, /TLSV1_ALERT_PROTOCOL_VERSION/, `refused by the server (${err.code})`)
})
