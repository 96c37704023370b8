// `key: ${FEDGATE_ROOT_KEY}` with the variable set to blanks (FEDGATE_ROOT_KEY=" ", a stray newline from
// `$(cat key)` of an empty file) passed check and start with an empty key, sent to the root as
// "Bearer " and refused there on every request; a blank secret file was refused all along. Both are now
// refused alike, naming the variable and never printing its value.
import t from 'tap'
import { parseConfig } from '../gateway/config/load.ts'
import { builtinPlugins } from '../plugins/index.ts'

const yaml = 'site: { name: tokyo, role: child }\nroot:\n  url: https://root.example\n  key: ${FEDGATE_ROOT_KEY}\n'
const load = (value: string) => parseConfig(yaml, '/nowhere/site.yaml', builtinPlugins, { FEDGATE_ROOT_KEY: value })

t.test('an environment variable of blanks is no key', async (t) => {
  for (const blank of [' ', '\n', ' \t\r\n']) {
    t.throws(() => load(blank), { message: /^site\.yaml:4:8: root\.key: expected environment variable FEDGATE_ROOT_KEY to be set and non-empty/ }, JSON.stringify(blank))
  }
  t.equal(load(' fgk_key \n').root?.key?.reveal(), 'fgk_key', 'a value around blanks is the value, trimmed')
})
