// A name added to tls.hosts after the first start never reached the generated certificate: the files
// existed, so they were reused as they were and clients asking for the new name failed verification
// (while the site counted it among its names). A certificate fedgate generated is now made again, from
// the same local CA, when it lacks a configured name; an operator's own certificate is never touched.
import t from 'tap'
import { copyFileSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { ensureCertificates } from '../gateway/tls/certificates.ts'
import { startSite, tempDir } from './helpers/sites.ts'
import { connectTls } from './helpers/raw-http.ts'

const yaml = (hosts: string) => `site: { name: grow, role: root }\nlisten:\n  https: { host: 127.0.0.1, port: 0 }\ntls: { dir: certs, hosts: [${hosts}] }\n`

t.test('a generated certificate is made again when tls.hosts gains a name', async (t) => {
  const dir = tempDir(t)
  const certs = join(dir, 'certs')
  const first = await startSite(t, yaml('one.test'), { dir })
  await first.gw.close()
  const ca = readFileSync(join(certs, 'ca.crt'), 'utf8')

  const second = await startSite(t, yaml('one.test, two.test'), { dir })
  t.equal(second.ca, ca, 'the same local CA')
  for (const name of ['two.test', 'one.test', 'localhost']) {
    const s = await connectTls(t, second.gw.httpsPort, ca, name)
    t.ok(s.authorized, `${name} verifies`)
    s.destroy()
  }
  t.equal(statSync(join(certs, 'grow.key')).mode & 0o777, 0o600, 'the new key is private')
  t.match(second.logs.text, /does not name two\.test/, 'the log says why it was made again')
  await second.gw.close()

  // A certificate from elsewhere at the default path: served as it is, whatever tls.hosts says.
  const own = ensureCertificates({ dir: join(dir, 'elsewhere'), siteName: 'own', hosts: [] })
  copyFileSync(own.cert, join(certs, 'grow.crt'))
  copyFileSync(own.key, join(certs, 'grow.key'))
  await startSite(t, yaml('one.test, two.test, three.test'), { dir })
  t.same(readFileSync(join(certs, 'grow.crt')), readFileSync(own.cert), 'an operator\'s own certificate is left alone')
})
