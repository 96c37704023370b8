// An expired configured certificate was loaded and served without a word (OpenSSL does not look at
// the dates): the site started "fine" and every client refused the handshake. It is still served (it
// may be all there is) but the start says which file and since when.
import t from 'tap'
import { join } from 'node:path'
import { ensureCertificates } from '../gateway/tls/certificates.ts'
import { writeExpiredCertificate } from './helpers/expired-cert.ts'
import { startSite, tempDir } from './helpers/sites.ts'

/** A certificate for `host` from the local CA in `certs`, whose validity ended three days ago. */
function expired(certs: string, host: string): { cert: string; key: string } {
  ensureCertificates({ dir: certs, siteName: 'seed', hosts: [] })
  const out = { cert: join(certs, 'stale.crt'), key: join(certs, 'stale.key') }
  writeExpiredCertificate(certs, out, { serial: '4a02', subject: [{ name: 'commonName', value: host }], altNames: [{ type: 2, value: host }] })
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
