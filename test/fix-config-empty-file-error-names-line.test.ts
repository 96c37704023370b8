// Found by test/fuzz-yaml-loader.test.ts: an empty file (or one with only comments) was refused with
// no line at all ("site.yaml: site.name: …"), unlike every other configuration error. It names the
// document's start.
import t from 'tap'
import { join } from 'node:path'
import { ConfigError, parseConfig } from '../gateway/config/load.ts'
import { builtinPlugins } from '../plugins/index.ts'
import { tempDir } from './helpers/sites.ts'

t.test('an empty or comment-only file is refused at line 1', async (t) => {
  const file = join(tempDir(t), 'site.yaml')
  for (const yaml of ['', '\n\n', '# only a comment\n']) {
    try {
      parseConfig(yaml, file, builtinPlugins, {})
      t.fail(`${JSON.stringify(yaml)}: accepted`)
    } catch (e) {
      t.match(e, ConfigError)
      t.match((e as Error).message, /^site\.yaml:1:1: site\.name: expected a value/, JSON.stringify(yaml))
      t.equal((e as ConfigError).line, 1)
    }
  }
})
