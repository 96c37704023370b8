// A certificate rotated on disk in two steps (the new certificate first, its key a moment later) made
// the reload fail with OpenSSL's bare "key values mismatch": no file named, so with several SNI pairs
// the operator could not tell which one. The site keeps serving the old pair meanwhile, names the
// files in the error, and takes the new pair once the key arrives.
import t from 'tap'
import { copyFileSync, readFileSync, renameSync } from 'node:fs'
import { X509Certificate } from 'node:crypto'
import { join } from 'node:path'
import { once } from 'node:events'
import { ensureCertificates } from '../gateway/tls/certificates.ts'
import { startSite, tempDir } from './helpers/sites.ts'
import { connectTls } from './helpers/raw-http.ts'

const fingerprint = (file: string) => new X509Certificate(readFileSync(file)).fingerprint256

t.test('an SNI certificate replaced before its key: old pair kept, error names the files, new pair taken with the key', async (t) => {
  const dir = tempDir(t)
  const certs = join(dir, 'certs')
  const alpha = ensureCertificates({ dir: certs, siteName: 'alpha', hosts: ['alpha.test'] })
  const beta = ensureCertificates({ dir: certs, siteName: 'beta', hosts: ['beta.test'] })
  const site = await startSite(
    t,
    `site: { name: rot, role: root }
listen:
  https: { host: 127.0.0.1, port: 0 }
tls:
  dir: certs
  sni:
    - { hosts: [alpha.test], cert: ${alpha.cert}, key: ${alpha.key} }
    - { hosts: [beta.test], cert: ${beta.cert}, key: ${beta.key} }
`,
    { dir },
  )
  const oldBeta = fingerprint(beta.cert)
  const next = ensureCertificates({ dir: certs, siteName: 'beta', hosts: ['beta.test'], cert: join(certs, 'next.crt'), key: join(certs, 'next.key') })
  const newBeta = fingerprint(next.cert)

  // Step one: the certificate only.
  const failed = once(site.gw.tls, 'error')
  copyFileSync(next.cert, beta.cert)
  await failed
  const line = (await site.logs.waitFor((l) => l.msg === 'tls reload failed; keeping the previous certificates'))[0]!
  t.match(String(line.err), beta.cert, 'the error names the certificate file')
  t.match(String(line.err), beta.key, 'and its key file')
  t.match(String(line.err), /the key is not this certificate's/, 'and says what is wrong')
  t.notMatch(site.logs.text, /PRIVATE KEY/, 'no key material in the log')
  const during = await connectTls(t, site.gw.httpsPort, site.ca, 'beta.test')
  t.equal(during.getPeerCertificate().fingerprint256, oldBeta, 'beta.test still gets the old certificate')
  during.destroy()

  // Step two: the key; both are consistent again.
  const reloaded = once(site.gw.tls, 'reload')
  renameSync(next.key, beta.key)
  await reloaded
  const after = await connectTls(t, site.gw.httpsPort, site.ca, 'beta.test')
  t.equal(after.getPeerCertificate().fingerprint256, newBeta, 'beta.test gets the new certificate')
  after.destroy()
})
