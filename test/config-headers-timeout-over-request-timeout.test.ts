// limits.headersTimeout longer than limits.requestTimeout is refused by `fedgate check` like any other
// configuration error (file, line, option names), instead of passing it and failing at start with Node's
// raw ERR_OUT_OF_RANGE.
import t from 'tap'
import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { tempDir } from './helpers/sites.ts'

const BIN = new URL('../gateway/cli/bin.mjs', import.meta.url).pathname

t.test('headersTimeout above requestTimeout is a configuration error', async (t) => {
  const dir = tempDir(t)
  const file = join(dir, 'limits.yaml')
  const check = (limits: string) => {
    writeFileSync(file, `site: { name: lim, role: root }\nlisten:\n  https: { host: 127.0.0.1, port: 0 }\nlimits:\n${limits}`)
    const r = spawnSync(process.execPath, [BIN, 'check', '--config', file], { encoding: 'utf8', timeout: 30_000 })
    return { code: r.status, out: r.stdout + r.stderr }
  }
  const bad = check('  headersTimeout: 10m\n')
  t.not(bad.code, 0, 'check fails')
  t.match(bad.out, /limits\.yaml:5:\d+: limits\.headersTimeout: 10m is longer than limits\.requestTimeout \(5m\)/, 'naming the file, line and both options')
  t.notMatch(bad.out, /ERR_OUT_OF_RANGE|received/i, "not Node's raw message")
  t.equal(check('  headersTimeout: 10m\n  requestTimeout: 0\n').code, 0, 'fine when requestTimeout is off (0)')
  t.equal(check('  headersTimeout: 5s\n  requestTimeout: 5s\n').code, 0, 'fine when equal')
})
