// A generated certificate lives 397 days, and the files were reused as long as they existed: a year on,
// every start served the expired certificate and every client refused it. A generated certificate that
// has expired (or soon will) is now made again at start, from the same local CA.
import t from 'tap'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createRequire } from 'node:module'
import type Forge from 'node-forge'
import { startSite, tempDir } from './helpers/sites.ts'
import { connectTls } from './helpers/raw-http.ts'

const forge = createRequire(import.meta.url)('node-forge') as typeof Forge
const yaml = 'site: { name: old, role: root }\nlisten:\n  https: { host: 127.0.0.1, port: 0 }\ntls: { dir: certs }\n'

/** What the site generated, as it would be 400 days later: the same CA and names, the validity over. */
function expiredFromSameCa(certs: string): void {
  const caCert = forge.pki.certificateFromPem(readFileSync(join(certs, 'ca.crt'), 'utf8'))
  const caKey = forge.pki.privateKeyFromPem(readFileSync(join(certs, 'ca.key'), 'utf8'))
  const served = forge.pki.certificateFromPem(readFileSync(join(certs, 'old.crt'), 'utf8'))
  const keys = forge.pki.rsa.generateKeyPair({ bits: 2048, e: 0x10001 })
  const cert = forge.pki.createCertificate()
  cert.publicKey = keys.publicKey
  cert.serialNumber = '4a01'
  cert.validity.notBefore = new Date(Date.now() - 400 * 86_400_000)
  cert.validity.notAfter = new Date(Date.now() - 3 * 86_400_000)
  cert.setSubject(served.subject.attributes)
  cert.setIssuer(caCert.subject.attributes)
  cert.setExtensions([{ name: 'subjectAltName', altNames: served.getExtension('subjectAltName') ? (served.getExtension('subjectAltName') as { altNames: unknown[] }).altNames : [] }])
  cert.sign(caKey, forge.md.sha256.create())
  writeFileSync(join(certs, 'old.key'), forge.pki.privateKeyToPem(keys.privateKey), { mode: 0o600 })
  writeFileSync(join(certs, 'old.crt'), forge.pki.certificateToPem(cert))
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
