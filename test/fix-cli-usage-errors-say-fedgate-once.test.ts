// A command run without --config said "fedgate: fedgate check: --config site.yaml is required": the
// command's own prefix and main's. One prefix now, naming the command.
import t from 'tap'
import { spawnSync } from 'node:child_process'

const BIN = new URL('../gateway/cli/bin.mjs', import.meta.url).pathname

t.test('a usage error names fedgate once, then the command', async (t) => {
  for (const command of [['check'], ['keys', 'list'], ['start']]) {
    const r = spawnSync(process.execPath, [BIN, ...command], { encoding: 'utf8', timeout: 30_000 })
    t.equal(r.status, 2, `${command.join(' ')}: exit 2`)
    t.match(r.stderr, new RegExp(`^fedgate: ${command[0]}: --config site\\.yaml is required`), `${command.join(' ')}: one prefix, the command named`)
    t.notMatch(r.stderr, /fedgate: fedgate/, 'never twice')
  }
})
