// `sync.lease: 0` passed `fedgate check` and the site never synced (a lease of 0 is a release, and any
// lease under ~75 ms lapsed between renewals); `admin.session: 0s` signed every session out at once.
// Durations where 0 cannot be meant have a minimum, refused like any configuration error.
import t from 'tap'
import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadConfigFile } from '../gateway/config/load.ts'
import { builtinPlugins } from '../plugins/index.ts'
import { childYaml, tempDir, writeSecret } from './helpers/sites.ts'

const MAIN = fileURLToPath(new URL('../gateway/cli/main.ts', import.meta.url))

t.test('zero or too short durations are refused', async (t) => {
  const dir = tempDir(t)
  writeSecret(dir, 'root.key', 'fgk_durations_' + 'd'.repeat(30))
  const file = join(dir, 'site.yaml')
  const load = (extra: string) => {
    writeFileSync(file, childYaml('durations', 'https://root.example', extra))
    try {
      loadConfigFile(file, builtinPlugins)
      return 'ok'
    } catch (err) {
      return (err as Error).message
    }
  }
  t.match(load('sync: { lease: 50ms }\n'), /sync\.lease: expected a duration of at least 1s, got "?50ms/)
  t.match(load('admin: { session: 0s }\n'), /admin\.session: expected a duration of at least 1m/)
  t.match(load('sync: { interval: 0 }\n'), /sync\.interval: expected a duration of at least 100ms/)
  t.match(load('  health: { interval: 0 }\n'), /root\.health\.interval: expected a duration of at least 100ms/)
  t.equal(load('sync: { lease: 1s, interval: 1s }\nadmin: { session: 1m }\n'), 'ok', 'the minimums themselves are fine')
  t.equal(load('forward: { cache: { defaults: { maxAge: 0 } } }\n'), 'ok', 'a 0 that means "off" by design still is')

  writeFileSync(file, childYaml('durations', 'https://root.example', 'sync: { lease: 0 }\n'))
  const r = spawnSync(process.execPath, ['--import', 'tsx', MAIN, 'check', '--config', file], { encoding: 'utf8', timeout: 30_000 })
  t.equal(r.status, 2, 'fedgate check fails')
  t.match(r.stderr, /site\.yaml:\d+:\d+: sync\.lease: expected a duration of at least 1s/, 'naming the file, line and option')
})
