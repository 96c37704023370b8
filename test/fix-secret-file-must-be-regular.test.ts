// A `file:` secret (or the YAML file itself) that is a FIFO or a device blocked start-up forever (a
// FIFO's open waits for a writer; /dev/zero never ends). Each is now refused with file:line, naming it.
import t from 'tap'
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { parseConfig, loadConfigFile, ConfigError } from '../gateway/config/load.ts'
import { builtinPlugins } from '../plugins/index.ts'
import { tempDir } from './helpers/sites.ts'

const yaml = (secret: string) => `site: { name: c, role: child }\nroot:\n  url: https://127.0.0.1:9\n  key: file:${secret}\n`

t.test('a file: secret that is a FIFO or a device is refused at once', async (t) => {
  const dir = tempDir(t)
  const fifo = join(dir, 'key.fifo')
  execFileSync('mkfifo', [fifo])
  for (const secret of [fifo, '/dev/zero', dir]) {
    const err = t.throws(() => parseConfig(yaml(secret), join(dir, 'site.yaml'), builtinPlugins, {})) as ConfigError
    t.match(err.message, /site\.yaml:4:\d+: root\.key: .*a readable secret file \((ENOTREG|EISDIR)/, `${secret}: refused with its line`)
  }
})

t.test('a configuration file that is a FIFO is refused at once', async (t) => {
  const dir = tempDir(t)
  const fifo = join(dir, 'site.yaml')
  execFileSync('mkfifo', [fifo])
  t.throws(() => loadConfigFile(fifo, builtinPlugins, {}), /cannot read the configuration file \(ENOTREG\)/)
})
