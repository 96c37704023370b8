// site.trustedProxies takes IP addresses and CIDR blocks only: anything else is refused at load with the
// file, line and key, before the site starts believing any forwarded header.
import t from 'tap'
import { ConfigError, parseConfig } from '../gateway/config/load.ts'
import { builtinPlugins } from '../plugins/index.ts'

t.test('a bad trusted proxy address is refused, naming where; good ones load', async (t) => {
  for (const bad of ['10.0.0.0/33', 'proxy.example', '10.0.0.1/8/8', '::1/129', '10.0.0/8', '']) {
    const yaml = `site:\n  name: a\n  role: root\n  trustedProxies: [127.0.0.1, '${bad}']\n`
    const err = (() => {
      try {
        parseConfig(yaml, '/tmp/site.yaml', builtinPlugins, {})
      } catch (e) {
        return e
      }
    })()
    t.ok(err instanceof ConfigError, `${JSON.stringify(bad)} refused`)
    t.match((err as Error).message, /^site\.yaml:4:\d+: site\.trustedProxies\[1\]: expected /, `${JSON.stringify(bad)}: file, line and key (${(err as Error).message})`)
  }
  const ok = parseConfig("site:\n  name: a\n  role: root\n  trustedProxies: [127.0.0.1, 10.0.0.0/8, '::1', 'fd00::/8']\n", '/tmp/site.yaml', builtinPlugins, {})
  t.same(ok.site.trustedProxies, ['127.0.0.1', '10.0.0.0/8', '::1', 'fd00::/8'])
})
