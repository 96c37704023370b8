// An unknown option whose value is a scalar was placed at the value's column (`listen:\n  htps: 1` said
// 3:9, the `1`), and `"": 1` at 1:5 (a number as a key, `1: x`, at its mapping): the error names a key,
// so its line and column are now the key's.
// A wrong value is still placed at the value (config-errors.test.ts).
import t from 'tap'
import { join } from 'node:path'
import { parseConfig } from '../gateway/config/load.ts'
import { builtinPlugins } from '../plugins/index.ts'
import { tempDir } from './helpers/sites.ts'

const cases: [yaml: string, where: string, key: string][] = [
  ['site: { name: a, role: root }\nlisten:\n  htps: 1\n', '3:3', 'listen.htps'],
  ['site: { name: a, role: root }\nlisten:\n  https:\n    prot:   "8443"\n', '4:5', 'listen.https.prot'],
  ['site: { name: a, role: root, nmae: b }\n', '1:30', 'site.nmae'],
  ['site: { name: a, role: root }\nlisten: { https: { port: 1, hots: x } }\n', '2:29', 'listen.https.hots'],
  ['"": 1\n', '1:1', '[""]'],
  ['site: { name: a, role: root }\nlisten: { 1: x }\n', '2:11', 'listen["1"]'],
  ['site: { name: a, role: root }\ntls:\n  sni:\n    - { hosts: [a], cert: c, key: k, keys: k }\n', '4:38', 'tls.sni[0].keys'],
]

t.test('an unknown option is placed at its key, not its value', async (t) => {
  const file = join(tempDir(t), 'site.yaml')
  for (const [yaml, where, key] of cases) {
    t.throws(() => parseConfig(yaml, file, builtinPlugins, {}), { message: `site.yaml:${where}: ${key}: expected a known option` }, JSON.stringify(yaml))
  }
})
