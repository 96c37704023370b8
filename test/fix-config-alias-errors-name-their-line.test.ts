// Found by test/fuzz-yaml-loader.test.ts: an alias naming no anchor (`*nope`) and aliases that expand
// without bound (an alias bomb) passed the YAML parse and then threw the yaml library's ReferenceError
// out of the loader, with no file or line. Both are configuration errors naming file:line:col.
import t from 'tap'
import { join } from 'node:path'
import { ConfigError, parseConfig } from '../gateway/config/load.ts'
import { builtinPlugins } from '../plugins/index.ts'
import { tempDir } from './helpers/sites.ts'

const BOMB = ['a: &a [x, x, x, x, x, x, x, x, x, x]', 'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]', 'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]', 'd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]'].join('\n')

const cases: [string, string, RegExp][] = [
  ['an alias naming no anchor', 'site: { name: a, role: root }\nlog:\n  level: *nope\n', /^site\.yaml:3:10: YAML alias error: .*nope/],
  ['an alias bomb', `site: { name: a, role: root }\n${BOMB}\n`, /^site\.yaml:3:\d+: YAML alias error: /],
]

for (const [what, yaml, expected] of cases) {
  t.test(`${what} is a ConfigError naming its line`, async (t) => {
    const file = join(tempDir(t), 'site.yaml')
    t.throws(() => parseConfig(yaml, file, builtinPlugins, {}), ConfigError)
    try {
      parseConfig(yaml, file, builtinPlugins, {})
    } catch (e) {
      t.match((e as ConfigError).message, expected)
      t.type((e as ConfigError).line, 'number', 'with its line')
    }
  })
}
