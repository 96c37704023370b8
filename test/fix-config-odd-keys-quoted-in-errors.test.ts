// Found by test/fuzz-yaml-loader.test.ts: an unknown key that is empty or made of spaces was named as
// nothing at all ("site.yaml:1:5: (top level): expected a known option", "site.yaml:1:1:  : …"). Keys
// that are not plain names are quoted in the message.
import t from 'tap'
import { join } from 'node:path'
import { parseConfig } from '../gateway/config/load.ts'
import { builtinPlugins } from '../plugins/index.ts'
import { tempDir } from './helpers/sites.ts'

const cases: [string, string][] = [
  ['"": 1\n', '^site\\.yaml:1:1: \\[""\\]: expected a known option'],
  ['" ": {}\n', '^site\\.yaml:1:1: \\[" "\\]: expected a known option'],
  ['site: { name: a, role: root, "a b": 1 }\n', '^site\\.yaml:1:\\d+: site\\["a b"\\]: expected a known option'],
  ['site: { name: a, role: root }\nlisten: { "": 1 }\n', '^site\\.yaml:2:\\d+: listen\\[""\\]: expected a known option'],
  ['site: { name: a, role: root }\nlisten: { htps: 1 }\n', '^site\\.yaml:2:\\d+: listen\\.htps: expected a known option \\(did you mean "https"\\?\\)'],
]

t.test('an unknown key that is not a plain name is quoted in its error', async (t) => {
  const file = join(tempDir(t), 'site.yaml')
  for (const [yaml, message] of cases) t.throws(() => parseConfig(yaml, file, builtinPlugins, {}), { message: new RegExp(message) }, JSON.stringify(yaml))
})
