// `fedgate check` passed certificate files that `start` then failed on with OpenSSL's words and no option
// named (junk in tls.cert, a key that is not the certificate's, a missing tls.sni file), and two listeners
// on one port ("the port is in use" at start). Each is now a configuration error naming the option.
import t from 'tap'
import { spawnSync } from 'node:child_process'
import { copyFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { tempDir } from './helpers/sites.ts'

const BIN = new URL('../gateway/cli/bin.mjs', import.meta.url).pathname

t.test('check names unusable certificate files and a shared port', async (t) => {
  const dir = tempDir(t)
  const file = join(dir, 'site.yaml')
  const run = (args: string[]) => {
    const r = spawnSync(process.execPath, [BIN, ...args, '--config', file], { cwd: dir, encoding: 'utf8', timeout: 60_000 })
    return { code: r.status, out: r.stdout + r.stderr }
  }
  const check = (extra: string) => {
    writeFileSync(file, `site: { name: one, role: root }\nlisten:\n  https: { host: 127.0.0.1, port: 0 }\ntls:\n  dir: certs\n${extra}`)
    return run(['check'])
  }
  // Two real pairs, made by fedgate itself: one.crt/key and two.crt/key.
  t.equal(check('').code, 0, 'a plain site checks')
  t.equal(run(['certs']).code, 0, 'its certificates are made')
  writeFileSync(file.replace('site.yaml', 'two.yaml'), `site: { name: two, role: root }\nlisten:\n  https: { host: 127.0.0.1, port: 0 }\ntls:\n  dir: certs2\n`)
  t.equal(spawnSync(process.execPath, [BIN, 'certs', '--config', join(dir, 'two.yaml')], { cwd: dir, encoding: 'utf8', timeout: 60_000 }).status, 0, 'and another site\'s')
  t.ok(readdirSync(join(dir, 'certs2')).includes('two.key'))
  writeFileSync(join(dir, 'junk.pem'), 'not a certificate\n')
  copyFileSync(join(dir, 'certs2', 'two.key'), join(dir, 'other.key'))

  const junk = check('  cert: junk.pem\n  key: junk.pem\n')
  t.not(junk.code, 0, 'junk in tls.cert fails')
  t.match(junk.out, /site\.yaml:\d+:\d+: tls\.cert: \S*junk\.pem with \S*junk\.pem: not a usable PEM certificate and key/, 'naming the option and the files')

  const mismatch = check('  cert: certs/one.crt\n  key: other.key\n')
  t.not(mismatch.code, 0, 'a key that is not the certificate\'s fails')
  t.match(mismatch.out, /tls\.cert: \S*certs\/one\.crt with \S*other\.key: the key is not this certificate's/, 'saying so')

  const sni = check('  sni:\n    - { hosts: [a.example], cert: nope.crt, key: certs/one.key }\n')
  t.not(sni.code, 0, 'a missing SNI certificate fails')
  t.match(sni.out, /tls\.sni\[0\]\.cert: \S*nope\.crt does not exist/, 'naming tls.sni[0].cert')

  t.equal(check('  sni:\n    - { hosts: [a.example], cert: certs2/two.crt, key: certs2/two.key }\n').code, 0, 'a good SNI pair checks')

  writeFileSync(file, `site: { name: one, role: root }\nlisten:\n  https: { host: 127.0.0.1, port: 18999 }\n  http: { host: 127.0.0.1, port: 18999 }\ntls:\n  dir: certs\n`)
  const port = run(['check'])
  t.not(port.code, 0, 'two listeners on one port fail')
  t.match(port.out, /listen\.http\.port: 18999 is listen\.https's port too/, 'naming the port')
})
