// A generated certificate lives 397 days, and the files were reused as long as they existed: a year on,
// every start served the expired certificate and every client refused it. A generated certificate that
// has expired (or soon will) is now made again at start, from the same local CA.
import t from 'tap'
import { join } from 'node:path'
import { readCertificate, writeExpiredCertificate } from './helpers/expired-cert.ts'
import { startSite, tempDir } from './helpers/sites.ts'
import { connectTls } from './helpers/raw-http.ts'

const yaml = 'site: { name: old, role: root }\nlisten:\n  https: { host: 127.0.0.1, port: 0 }\ntls: { dir: certs }\n'

/** What the site generated, as it would be 400 days later: the same CA and names, the validity over. */
function expiredFromSameCa(certs: string): void {
  const served = readCertificate(join(certs, 'old.crt'))
  const san = served.getExtension('subjectAltName') as { altNames: unknown[] } | undefined
  writeExpiredCertificate(certs, { cert: join(certs, 'old.crt'), key: join(certs, 'old.key') }, { serial: '4a01', subject: served.subject.attributes, altNames: san ? san.altNames : [] })
}

t.test('an expired generated certificate is made again at start', async (t) => {
  const dir = tempDir(t)
  const certs = join(dir, 'certs')
  const first = await startSite(t, yaml, { dir })
  await first.gw.close()
  expiredFromSameCa(certs)

  const site = await startSite(t, yaml, { dir })
  const s = await connectTls(t, site.gw.httpsPort, site.ca)
  t.ok(s.authorized, 'the certificate served verifies')
  t.ok(Date.parse(s.getPeerCertificate().valid_to) > Date.now(), 'and has not expired')
  t.match(site.logs.text, /"renewed":"it expires/, 'the log says why it was made again')
})
