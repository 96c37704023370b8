// A backoff of 0 passed `fedgate check` and made a loop with no wait: a link with `retry: 0` retried a
// failing exchange at once, for ever (0 doubled is 0), as did sync retries, change-stream reconnects and
// the root's circuit trials. `store.refresh: 0` silently stopped picking up other processes' commits
// (`fedgate publish`, other nodes): 0 is what a store that follows no one is given. Each has a minimum of
// 100ms now, refused like any configuration error, naming the option.
import t from 'tap'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { loadConfigFile } from '../gateway/config/load.ts'
import { builtinPlugins } from '../plugins/index.ts'
import { childYaml, tempDir, writeSecret } from './helpers/sites.ts'

t.test('zero backoffs and poll periods are refused, each by name', async (t) => {
  const dir = tempDir(t)
  writeSecret(dir, 'root.key', 'fgk_backoffs_' + 'b'.repeat(30))
  writeSecret(dir, 'peer.token', 'peer-token-' + 'p'.repeat(30))
  const file = join(dir, 'site.yaml')
  const load = (extra: string) => {
    writeFileSync(file, childYaml('backoffs', 'https://root.example', extra))
    try {
      loadConfigFile(file, builtinPlugins)
      return 'ok'
    } catch (err) {
      return (err as Error).message
    }
  }
  const link = (retry: string) => `links:\n  - { name: peer, url: https://peer.example, token: file:./peer.token, mode: pull, repositories: [a/*], retry: ${retry} }\n`
  const cases: [string, RegExp][] = [
    [link('0'), /links\[0\]\.retry: expected a duration of at least 100ms/],
    ['sync: { retry: { initial: 0 } }\n', /sync\.retry\.initial: expected a duration of at least 100ms/],
    ['sync: { retry: { max: 0s } }\n', /sync\.retry\.max: expected a duration of at least 100ms/],
    ['sync: { stream: { reconnect: { initial: 0 } } }\n', /sync\.stream\.reconnect\.initial: expected a duration of at least 100ms/],
    ['sync: { stream: { reconnect: { max: 10ms } } }\n', /sync\.stream\.reconnect\.max: expected a duration of at least 100ms/],
    ['  health: { backoff: 0 }\n', /root\.health\.backoff: expected a duration of at least 100ms/],
    ['  health: { maxBackoff: 0 }\n', /root\.health\.maxBackoff: expected a duration of at least 100ms/],
    ['store: { refresh: 0 }\n', /store\.refresh: expected a duration of at least 100ms/],
  ]
  for (const [extra, want] of cases) t.match(load(extra), want, extra.trim())
  t.equal(load(`${link('100ms')}sync: { retry: { initial: 100ms, max: 100ms }, stream: { reconnect: { initial: 100ms, max: 100ms } } }\nstore: { refresh: 100ms }\n`), 'ok', 'the minimums themselves are fine')
})
