// `fedgate --help` printed its usage to stderr, and `fedgate` alone exited 0 as if it had done something.
// Asked for, the usage goes to stdout (exit 0: `fedgate --help | less` works); no command, or an unknown
// one, is a mistake: stderr and exit 2.
import t from 'tap'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const MAIN = fileURLToPath(new URL('../gateway/cli/main.ts', import.meta.url))
const fedgate = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], { encoding: 'utf8' })

t.test('--help prints the usage to stdout; no command or an unknown one exits 2', async (t) => {
  for (const ask of ['--help', 'help', '-h']) {
    const r = fedgate(ask)
    t.equal(r.status, 0, `${ask}: exit 0`)
    t.match(r.stdout, /^usage: fedgate <command>/, `${ask}: the usage on stdout`)
    t.equal(r.stderr, '', `${ask}: nothing on stderr`)
  }
  const none = fedgate()
  t.equal(none.status, 2, 'no command: exit 2')
  t.match(none.stderr, /a command is needed[\s\S]*usage: fedgate/, 'no command: says so, then the usage, on stderr')
  t.equal(none.stdout, '')
  const unknown = fedgate('strat')
  t.equal(unknown.status, 2, 'unknown command: exit 2')
  t.match(unknown.stderr, /unknown command "strat"/)
})
