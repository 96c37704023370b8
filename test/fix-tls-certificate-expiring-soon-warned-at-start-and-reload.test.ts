// `fedgate check` warned of a certificate expiring within 30 days; `fedgate start` and a certificate
// reload (SIGHUP, or its files changing) served it without a word. Both now log a warning naming the
// file and the date, as check says it.
import t from 'tap'
import { once } from 'node:events'
import { join } from 'node:path'
import { ensureCertificates } from '../gateway/tls/certificates.ts'
import { writeDatedCertificate } from './helpers/expired-cert.ts'
import { startSite, tempDir } from './helpers/sites.ts'

const DATE = /^[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4} GMT$/
const host = (name: string) => ({ subject: [{ name: 'commonName', value: name }], altNames: [{ type: 2, value: name }] })
const WARN = 'warn'

t.test('a certificate expiring within 30 days is warned of at start and at reload', async (t) => {
  const dir = tempDir(t)
  const certs = join(dir, 'certs')
  ensureCertificates({ dir: certs, siteName: 'soon', hosts: [] }) // the local CA, and the site's own pair (397 days)
  const soon = { cert: join(certs, 'soon-sni.crt'), key: join(certs, 'soon-sni.key') }
  const later = { cert: join(certs, 'later-sni.crt'), key: join(certs, 'later-sni.key') }
  writeDatedCertificate(certs, soon, { serial: '4c01', ...host('soon.test'), fromDays: -300, toDays: 9.5 })
  writeDatedCertificate(certs, later, { serial: '4c02', ...host('later.test'), fromDays: -1, toDays: 200 })
  const site = await startSite(
    t,
    `site: { name: soon, role: root }\nlisten:\n  https: { host: 127.0.0.1, port: 0 }\ntls:\n  dir: certs\n  sni:\n    - { hosts: [soon.test], cert: ${soon.cert}, key: ${soon.key} }\n    - { hosts: [later.test], cert: ${later.cert}, key: ${later.key} }\n`,
    { dir },
  )
  const expiring = () => site.logs.lines().filter((l) => l.msg === 'tls certificate expires soon')
  t.equal(expiring().length, 1, 'at start: one warning, for the one certificate expiring soon')
  t.equal(expiring()[0]?.level, WARN, 'at level warn')
  t.equal(expiring()[0]?.file, soon.cert, 'naming the file')
  t.match(String(expiring()[0]?.expires), DATE, 'and the date')

  // The other one replaced by a certificate that expires soon too: the reload says it.
  const reloaded = once(site.gw.tls, 'reload')
  writeDatedCertificate(certs, later, { serial: '4c03', ...host('later.test'), fromDays: -300, toDays: 5 })
  await reloaded
  const after = expiring().slice(1)
  t.same(after.map((l) => l.file).sort(), [later.cert, soon.cert].sort(), 'at reload: each certificate expiring soon, named')
  t.ok(after.every((l) => l.level === WARN && DATE.test(String(l.expires))), 'at level warn, with the date')
  t.notMatch(site.logs.text, /PRIVATE KEY/, 'no key material in the log')
})
