// `store.collect.grace: 0` (or any few seconds) passed `fedgate check` and left a publish made by another
// process (`fedgate publish`, another worker, another node on the same index) protected by nothing: pins
// hold in their own process only, so the collection of a running site removed the blob that publish had
// just stored, before its commit (the publish failed 409, its upload lost). The grace has a minimum of
// 10 minutes now, refused like any configuration error, naming the option.
import t from 'tap'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { loadConfigFile } from '../gateway/config/load.ts'
import { builtinPlugins } from '../plugins/index.ts'
import { rootYaml } from './helpers/hub.ts'
import { tempDir } from './helpers/sites.ts'

t.test('a collection grace under 10 minutes is refused, naming the option', async (t) => {
  const file = join(tempDir(t), 'root.yaml')
  const load = (grace: string) => {
    writeFileSync(file, rootYaml('root', `store: { collect: { grace: ${grace} } }\n`))
    try {
      loadConfigFile(file, builtinPlugins)
      return 'ok'
    } catch (err) {
      return (err as Error).message
    }
  }
  for (const grace of ['0', '1ms', '30s', '9m']) t.match(load(grace), /store\.collect\.grace: expected a duration of at least 10m/, `${grace}: refused`)
  t.equal(load('10m'), 'ok', 'the minimum itself is fine')
})
