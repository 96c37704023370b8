// `fedgate check --help` (and every other command's --help or -h) was refused as an unknown option with
// exit 2; `repos --help` asked for --config instead, and `keys --help` printed parseArgs's own advice.
// Asked for, a command's usage goes to stdout with exit 0, and nothing runs.
import t from 'tap'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const BIN = fileURLToPath(new URL('../gateway/cli/bin.mjs', import.meta.url))
const fedgate = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 30_000 })

t.test('every command answers --help and -h with its usage on stdout, exit 0', async (t) => {
  const all = fedgate('--help').stdout.match(/^ {2}fedgate (\S+)/gm)!.map((l) => l.trim().split(' ')[1]!)
  t.ok(all.length >= 10, `the usage lists the commands (${all.join(', ')})`)
  // -h on two commands, a core one and a plugin's: each spawn costs a start of node.
  for (const [name, asks] of all.map((n) => [n, n === 'check' || n === 'keys' ? ['--help', '-h'] : ['--help']] as const)) {
    for (const ask of asks) {
      const r = fedgate(name, ask)
      t.equal(r.status, 0, `${name} ${ask}: exit 0`)
      t.match(r.stdout, new RegExp(`^usage: fedgate ${name} `), `${name} ${ask}: its usage on stdout`)
      t.equal(r.stderr, '', `${name} ${ask}: nothing on stderr`)
    }
  }
  const late = fedgate('start', '--config', 'no-such.yaml', '--help')
  t.equal(late.status, 0, 'start --config f --help: the usage, the site not started')
  t.match(late.stdout, /^usage: fedgate start /)
})

t.test('after --, --help is an argument, not a request for the usage', async (t) => {
  const r = fedgate('check', '--', '--help')
  t.equal(r.status, 2)
  t.match(r.stderr, /Unexpected argument '--help'/)
})
