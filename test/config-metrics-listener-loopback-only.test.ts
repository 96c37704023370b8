// The metrics listener asks no key, so it may bind only a loopback address: any other is refused at
// start with an error naming the option and its line.
import t from 'tap'
import { parseConfig, ConfigError } from '../gateway/config/load.ts'
import { builtinPlugins } from '../plugins/index.ts'

const yaml = (host: string) => `site: { name: s, role: root }
metrics:
  listen: { host: '${host}', port: 9464 }
`

t.test('metrics.listen.host must be a loopback address', async (t) => {
  for (const host of ['0.0.0.0', '10.0.0.5', '::', 'metrics.example']) {
    let err: unknown
    try {
      parseConfig(yaml(host), '/tmp/site.yaml', builtinPlugins, {})
    } catch (e) {
      err = e
    }
    t.ok(err instanceof ConfigError, `${host}: refused`)
    t.match((err as Error).message, /site\.yaml:3:.*metrics\.listen\.host: .* is not a loopback address/, 'naming the option and its line')
  }
  for (const host of ['127.0.0.1', '127.0.0.2', '::1', 'localhost']) t.equal(parseConfig(yaml(host), '/tmp/site.yaml', builtinPlugins, {}).metrics.listen?.host, host, `${host}: accepted`)
})
