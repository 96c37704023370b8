// An expired configured certificate was loaded and served without a word (OpenSSL does not look at
// the dates): the site started "fine" and every client refused the handshake. It is still served (it
// may be all there is) but the start says which file and since when.
import t from 'tap'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createRequire } from 'node:module'
import type Forge from 'node-forge'
import { ensureCertificates } from '../gateway/tls/certificates.ts'
import { startSite, tempDir } from './helpers/sites.ts'

const forge = createRequire(import.meta.url)('node-forge') as typeof Forge

/** A certificate for `host` from the local CA in `certs`, whose validity ended three days ago. */
function expired(certs: string, host: string): { cert: string; key: string } {
  const ca = ensureCertificates({ dir: certs, siteName: 'seed', hosts: [] })
  const caCert = forge.pki.certificateFromPem(readFileSync(ca.ca, 'utf8'))
  const caKey = forge.pki.privateKeyFromPem(readFileSync(ca.caKey, 'utf8'))
  const keys = forge.pki.rsa.generateKeyPair({ bits: 2048, e: 0x10001 })
  const cert = forge.pki.createCertificate()
  cert.publicKey = keys.publicKey
  cert.serialNumber = '4a02'
  cert.validity.notBefore = new Date(Date.now() - 400 * 86_400_000)
  cert.validity.notAfter = new Date(Date.now() - 3 * 86_400_000)
  cert.setSubject([{ name: 'commonName', value: host }])
  cert.setIssuer(caCert.subject.attributes)
  cert.setExtensions([{ name: 'subjectAltName', altNames: [{ type: 2, value: host }] }])
  cert.sign(caKey, forge.md.sha256.create())
  const out = { cert: join(certs, 'stale.crt'), key: join(certs, 'stale.key') }
  writeFileSync(out.key, forge.pki.privateKeyToPem(keys.privateKey), { mode: 0o600 })
  writeFileSync(out.cert, forge.pki.certificateToPem(cert))
  return out
}

t.test('an expired SNI certificate is named in the log at start', async (t) => {
  const dir = tempDir(t)
  const certs = join(dir, 'certs')
  const stale = expired(certs, 'stale.test')
  const site = await startSite(
    t,
    `site: { name: dates, role: root }\nlisten:\n  https: { host: 127.0.0.1, port: 0 }\ntls:\n  dir: certs\n  sni:\n    - { hosts: [stale.test], cert: ${stale.cert}, key: ${stale.key} }\n`,
    { dir },
  )
  const lines = site.logs.lines().filter((l) => l.msg === 'tls certificate not valid now')
  t.equal(lines.length, 1, 'one certificate is out of its dates')
  t.match(String(lines[0]?.err), `${stale.cert}: the certificate expired`, 'named, with what is wrong')
  t.notMatch(site.logs.text, /PRIVATE KEY/, 'no key material in the log')
})
