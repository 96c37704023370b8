// Found while fuzzing the YAML loader: keys named like members every JavaScript object has
// (`toString`, `constructor`, `hasOwnProperty`, `__proto__`) passed the unknown-option check and were
// silently ignored. They are unknown options like any other typo.
import t from 'tap'
import { join } from 'node:path'
import { parseConfig } from '../gateway/config/load.ts'
import { builtinPlugins } from '../plugins/index.ts'
import { tempDir } from './helpers/sites.ts'

for (const key of ['toString', 'constructor', 'hasOwnProperty', '__proto__', 'valueOf']) {
  t.test(`${key} is refused as an unknown option, at the top level and in a section`, async (t) => {
    const file = join(tempDir(t), 'site.yaml')
    t.throws(() => parseConfig(`site: { name: a, role: root }\n${key}: 1\n`, file, builtinPlugins, {}), { message: new RegExp(`^site\\.yaml:2:\\d+: ${key}: expected a known option`) })
    t.throws(() => parseConfig(`site: { name: a, role: root, ${key}: x }\n`, file, builtinPlugins, {}), { message: new RegExp(`^site\\.yaml:1:\\d+: site\\.${key}: expected a known option`) })
  })
}
