// `fedgate start --worker 4` (a typo for --workers) was ignored and ran one process; `check` and `certs`
// took stray arguments as silently. Like the plugin commands, they refuse an unknown option or a stray
// argument, naming it, with exit 2 and before anything starts.
import t from 'tap'
import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { tempDir } from './helpers/sites.ts'

const MAIN = fileURLToPath(new URL('../gateway/cli/main.ts', import.meta.url))
// Bounded: a `start` that took the typo would run until killed, and fail the exit-code check.
const fedgate = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], { encoding: 'utf8', timeout: 30_000 })

t.test('start, check and certs refuse unknown options and stray arguments', async (t) => {
  const dir = tempDir(t)
  const file = join(dir, 'site.yaml')
  writeFileSync(file, `site: { name: strict, role: root }\nlisten:\n  https: { host: 127.0.0.1, port: 0 }\ntls: { dir: ${join(dir, 'certs')} }\n`)
  t.equal(fedgate('check', '--config', file).status, 0, 'the file itself is fine')

  const typo = fedgate('start', '--config', file, '--worker', '4')
  t.equal(typo.status, 2, 'start --worker 4: exit 2')
  t.match(typo.stderr, /start: Unknown option '--worker'/, 'naming the option')
  t.notMatch(typo.stdout, /fedgate listening/, 'nothing started')

  const stray = fedgate('check', '--config', file, 'other.yaml')
  t.equal(stray.status, 2, 'check with a stray argument: exit 2')
  t.match(stray.stderr, /check: Unexpected argument 'other\.yaml'/, 'naming the argument')

  const certs = fedgate('certs', '-c', file, '--force')
  t.equal(certs.status, 2, 'certs --force: exit 2')
  t.match(certs.stderr, /certs: Unknown option '--force'/)
})
