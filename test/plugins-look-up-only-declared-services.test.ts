// Plugins reach each other's services only through declared dependencies: a plugin that needs a service
// no earlier plugin provides stops the start with an error naming both; a lookup of a service the plugin
// did not declare (in needs or uses) is refused; declared services are handed over.
import t from 'tap'
import type { GatewayPlugin } from '../gateway/plugin-api.ts'
import { builtinPlugins } from '../plugins/index.ts'
import { KeyRing } from '../plugins/hub/keys.ts'
import { rootYaml } from './helpers/hub.ts'
import { startSite, tempDir } from './helpers/sites.ts'

const probe = (o: Partial<GatewayPlugin>, seen: { keys?: unknown; error?: string }): GatewayPlugin => ({
  name: 'probe',
  ...o,
  setup({ services }) {
    try {
      seen.keys = services.need('keys')
    } catch (err) {
      seen.error = String(err)
    }
    return {}
  },
})

t.test('a declared need is handed over', async (t) => {
  const seen: { keys?: unknown; error?: string } = {}
  await startSite(t, rootYaml(), { dir: tempDir(t), plugins: [...builtinPlugins, probe({ needs: ['keys'] }, seen)] })
  t.ok(seen.keys instanceof KeyRing, 'the hub\'s key ring, typed KeyRing')
  t.equal(seen.error, undefined)
})

t.test('an undeclared lookup is refused', async (t) => {
  const seen: { keys?: unknown; error?: string } = {}
  await startSite(t, rootYaml(), { dir: tempDir(t), plugins: [...builtinPlugins, probe({ uses: ['links'] }, seen)] })
  t.equal(seen.keys, undefined, 'nothing handed over')
  t.match(seen.error, /the probe plugin looks up the "keys" service without declaring it in needs/)
})

t.test('a need no earlier plugin provides stops the start, naming it', async (t) => {
  const seen = {}
  const plugins = [probe({ needs: ['keys'] }, seen), ...builtinPlugins]
  await t.rejects(startSite(t, rootYaml(), { dir: tempDir(t), plugins }), /the probe plugin needs the "keys" service, which no plugin set up before it provides/)
})
