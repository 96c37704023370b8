// A YAML key that is a list, a mapping or an alias was stringified by the yaml library ("[object
// Object]"), with a process warning on stderr for each, and then reported as an unknown option named by
// that string. It is now refused where it stands, and nothing is written to stderr.
import t from 'tap'
import { parseConfig, ConfigError } from '../gateway/config/load.ts'
import { builtinPlugins } from '../plugins/index.ts'

t.test('collection and alias keys are refused with their line, without a warning', async (t) => {
  const warnings: string[] = []
  const onWarning = (w: Error) => warnings.push(w.message)
  process.on('warning', onWarning)
  t.teardown(() => void process.off('warning', onWarning))
  const docs = {
    'a mapping key': 'site: { name: a, role: root }\n? { x: 1 }\n: 2\n',
    'a list key': 'site: { name: a, role: root }\n[a, b]: 1\n',
    'a key inside a section': 'site: { name: a, role: root, { nested: 1 }: x }\n',
    'an alias key': 'site: &s { name: a, role: root }\n*s : 1\n',
    'a tagged key that is an object': 'site: { name: a, role: root }\n!!binary "" : 1\n',
  }
  for (const [what, yaml] of Object.entries(docs)) {
    const err = t.throws(() => parseConfig(yaml, '/x/site.yaml', builtinPlugins, {})) as ConfigError
    t.match(err.message, /^site\.yaml:\d+:\d+: a key must be plain text/, `${what}: refused with its position`)
  }
  await new Promise((r) => setImmediate(r))
  t.same(warnings, [], 'no process warning')
})
