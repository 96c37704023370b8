// Found while fuzzing the YAML loader: a document nested a few thousand levels deep overflowed the yaml
// library's recursive composer, refused as "YAML syntax error: Maximum call stack size exceeded" at an
// odd place; in a plain node script the second such document in one process killed it outright (V8:
// "RegExpCompiler Allocation failed - process out of memory"). Nesting beyond 64 levels is refused,
// naming the problem and its line, before the document is composed; a site file nests a handful.
import t from 'tap'
import { join } from 'node:path'
import { ConfigError, parseConfig } from '../gateway/config/load.ts'
import { builtinPlugins } from '../plugins/index.ts'
import { tempDir } from './helpers/sites.ts'

const DEEP = [
  ['flow', '['.repeat(5000) + ']'.repeat(5000), /^site\.yaml:1:65: YAML nested more than 64 levels deep$/],
  ['flow, unclosed', '{a: '.repeat(5000), /^site\.yaml:1:\d+: YAML nested more than 64 levels deep$/],
  ['block', 'a:\n' + Array.from({ length: 3000 }, (_, i) => ' '.repeat(i + 1) + 'b:\n').join(''), /^site\.yaml:65:\d+: YAML nested more than 64 levels deep$/],
  ['compact sequences', '- '.repeat(5000) + 'x', /^site\.yaml:1:\d+: YAML nested more than 64 levels deep$/],
] as const

t.test('documents nested too deep are refused with their line, again and again in one process', async (t) => {
  const file = join(tempDir(t), 'site.yaml')
  for (let round = 0; round < 3; round++) {
    for (const [what, yaml, expected] of DEEP) {
      try {
        parseConfig(yaml, file, builtinPlugins, {})
        t.fail(`${what}: accepted`)
      } catch (e) {
        t.ok(e instanceof ConfigError, `${what}: a ConfigError`)
        t.match((e as Error).message, expected, `${what}: names the line`)
      }
    }
  }
  const nested = 'site: { name: a, role: root }\nlog: ' + '['.repeat(60) + ']'.repeat(60) + '\n'
  t.throws(() => parseConfig(nested, file, builtinPlugins, {}), /site\.yaml:2:1: log: expected a mapping/, '60 levels are parsed as usual')
})
