// `fedgate check` passed a site whose certificate had expired (or was not valid yet): OpenSSL loads such a
// certificate without a word, start only logs it, and every client then refuses the handshake. Before a
// deploy, check now fails (exit 2) on a certificate out of its dates and warns (exit 0) of one that
// expires within 30 days, naming the option, the file and the date. A generated certificate start makes
// again (it expires soon, or has) is no error: check says it will be made again.
import t from 'tap'
import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ensureCertificates } from '../gateway/tls/certificates.ts'
import { readCertificate, writeDatedCertificate, writeExpiredCertificate } from './helpers/expired-cert.ts'
import { tempDir } from './helpers/sites.ts'

const BIN = new URL('../gateway/cli/bin.mjs', import.meta.url).pathname
const host = (name: string) => ({ subject: [{ name: 'commonName', value: name }], altNames: [{ type: 2, value: name }] })
const DATE = /[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4} GMT/.source

t.test('check fails on a certificate out of its dates and warns of one about to expire', async (t) => {
  const dir = tempDir(t)
  const certs = join(dir, 'certs')
  const file = join(dir, 'site.yaml')
  const check = (tls: string) => {
    writeFileSync(file, `site: { name: dates, role: root }\nlisten:\n  https: { host: 127.0.0.1, port: 0 }\ntls:\n  dir: certs\n${tls}`)
    const r = spawnSync(process.execPath, [BIN, 'check', '--config', file], { cwd: dir, encoding: 'utf8', timeout: 60_000 })
    t.notMatch(r.stdout + r.stderr, /PRIVATE KEY|BEGIN/, 'no key material said')
    return { code: r.status, stdout: r.stdout, stderr: r.stderr }
  }
  ensureCertificates({ dir: certs, siteName: 'dates', hosts: [] }) // the local CA, and the site's pair
  const pair = (name: string) => ({ cert: join(certs, `${name}.crt`), key: join(certs, `${name}.key`) })
  const stale = pair('stale')
  const early = pair('early')
  const soon = pair('soon')
  writeExpiredCertificate(certs, stale, { serial: '4b01', ...host('stale.test') })
  writeDatedCertificate(certs, early, { serial: '4b02', ...host('early.test'), fromDays: 2, toDays: 300 })
  writeDatedCertificate(certs, soon, { serial: '4b03', ...host('soon.test'), fromDays: -300, toDays: 9.5 })

  const expired = check(`  cert: ${stale.cert}\n  key: ${stale.key}\n`)
  t.equal(expired.code, 2, 'an expired tls.cert: exit 2')
  t.match(expired.stderr, new RegExp(`site\\.yaml: tls\\.cert: ${stale.cert}: the certificate expired ${DATE}`), 'naming the option, the file and the date')
  t.notMatch(expired.stdout, /^ok/, 'not ok')

  const notYet = check(`  sni:\n    - { hosts: [early.test], cert: ${early.cert}, key: ${early.key} }\n`)
  t.equal(notYet.code, 2, 'an SNI certificate not valid yet: exit 2')
  t.match(notYet.stderr, new RegExp(`tls\\.sni\\[0\\]\\.cert: ${early.cert}: the certificate is not valid before ${DATE}`))

  const expiring = check(`  sni:\n    - { hosts: [soon.test], cert: ${soon.cert}, key: ${soon.key} }\n`)
  t.equal(expiring.code, 0, 'one that expires in 9 days: exit 0')
  t.match(expiring.stderr, new RegExp(`warning: site\\.yaml: tls\\.sni\\[0\\]\\.cert: ${soon.cert}: the certificate expires ${DATE} \\(in 9 days\\)`), 'with a warning naming it and the date')
  t.match(expiring.stdout, /^ok: /)

  // The site's own generated pair, a year on: start makes it again, so it is no error.
  const own = readCertificate(join(certs, 'dates.crt'))
  const san = own.getExtension('subjectAltName') as { altNames: unknown[] }
  writeExpiredCertificate(certs, pair('dates'), { serial: '4b04', subject: own.subject.attributes, altNames: san.altNames })
  const generated = check('')
  t.equal(generated.code, 0, 'an expired generated certificate: exit 0')
  t.match(generated.stdout, new RegExp(`${join(certs, 'dates.crt')}: made again at start \\(it expires ${DATE}\\)`), 'check says start makes it again')
  t.equal(generated.stderr, '')
})
