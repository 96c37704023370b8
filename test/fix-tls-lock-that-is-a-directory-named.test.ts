// A certificate generation lock (<tls.dir>/certificates.lock) that is a directory (left by hand, a bad
// volume mount) failed `fedgate certs` with Node's bare "EISDIR: illegal operation on a directory, read",
// naming no file. The error now names the lock file and says what to do; nothing is generated.
import t from 'tap'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { tempDir } from './helpers/sites.ts'

const MAIN = fileURLToPath(new URL('../gateway/cli/main.ts', import.meta.url))

t.test('a generation lock that is a directory is named in the error, and nothing is generated', async (t) => {
  const dir = tempDir(t)
  writeFileSync(join(dir, 'site.yaml'), 'site: { name: locked, role: root }\nlisten:\n  https: { host: 127.0.0.1, port: 0 }\ntls: { dir: certs }\n')
  mkdirSync(join(dir, 'certs', 'certificates.lock'), { recursive: true })
  const r = spawnSync(process.execPath, ['--import', 'tsx', MAIN, 'certs', '--config', join(dir, 'site.yaml')], { encoding: 'utf8', timeout: 60_000 })
  t.equal(r.status, 2, 'exit 2')
  t.match(r.stderr, /certificates\.lock: the certificate generation lock cannot be read \(EISDIR\): it is a directory, not a lock file; remove it/)
  t.notOk(existsSync(join(dir, 'certs', 'ca.crt')), 'no certificate generated')
})
