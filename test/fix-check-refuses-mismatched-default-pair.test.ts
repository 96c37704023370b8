// `fedgate check` checked the certificate pairs the file names, but not the site's own pair at the
// default paths (<tls.dir>/<site>.crt and .key): a key that is not the certificate's, or one file of the
// two, passed check and stopped start. Check now fails on both (exit 2), naming the files.
import t from 'tap'
import { spawnSync } from 'node:child_process'
import { copyFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ensureCertificates } from '../gateway/tls/certificates.ts'
import { tempDir } from './helpers/sites.ts'

const BIN = new URL('../gateway/cli/bin.mjs', import.meta.url).pathname

t.test('check fails on a mismatched or half pair at the default paths', async (t) => {
  const dir = tempDir(t)
  const certs = join(dir, 'certs')
  const file = join(dir, 'site.yaml')
  writeFileSync(file, 'site: { name: one, role: root }\nlisten:\n  https: { host: 127.0.0.1, port: 0 }\ntls: { dir: certs }\n')
  const check = () => {
    const r = spawnSync(process.execPath, [BIN, 'check', '--config', file], { cwd: dir, encoding: 'utf8', timeout: 60_000 })
    t.notMatch(r.stdout + r.stderr, /PRIVATE KEY|BEGIN/, 'no key material said')
    return { code: r.status, stdout: r.stdout, stderr: r.stderr }
  }
  const one = ensureCertificates({ dir: certs, siteName: 'one', hosts: [] })
  const other = ensureCertificates({ dir: certs, siteName: 'one', hosts: [], cert: join(certs, 'other.crt'), key: join(certs, 'other.key') })
  t.equal(check().code, 0, 'the generated pair checks')

  copyFileSync(other.key, one.key)
  const mismatch = check()
  t.equal(mismatch.code, 2, 'a key that is not the certificate\'s: exit 2')
  t.match(mismatch.stderr, `site.yaml: tls: ${one.cert} with ${one.key}: the key is not this certificate's`, 'naming both files')

  rmSync(one.cert)
  const half = check()
  t.equal(half.code, 2, 'a key without its certificate: exit 2')
  t.match(half.stderr, `only one of ${one.cert} and ${one.key} exists`, 'naming both files')
})
