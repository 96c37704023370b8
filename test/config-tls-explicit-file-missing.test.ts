// An explicit tls.cert or tls.key that does not exist (a typo, a volume not mounted) is a configuration
// error naming the option and the path: a certificate is generated only at the default paths under tls.dir.
import t from 'tap'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { parseConfig, ConfigError } from '../gateway/config/load.ts'
import { builtinPlugins } from '../plugins/index.ts'
import { startSite, tempDir } from './helpers/sites.ts'

const site = (tls: string) => `site: { name: typo, role: root }\nlisten:\n  https: { host: 127.0.0.1, port: 0 }\ntls: { dir: certs${tls} }\n`

t.test('a missing explicit certificate or key is refused, not generated', async (t) => {
  const dir = tempDir(t)
  const file = join(dir, 'site.yaml')
  const cases: [string, string, string][] = [
    [', cert: ./real/site-typo.crt, key: ./real/site.key', 'cert', join(dir, 'real/site-typo.crt')],
    [', cert: certs/typo.crt, key: /nonexistent/fedgate/site.key', 'key', '/nonexistent/fedgate/site.key'],
  ]
  for (const [tls, option, path] of cases) {
    const err = (() => {
      try {
        parseConfig(site(tls), file, builtinPlugins)
      } catch (e) {
        return e
      }
    })()
    t.type(err, ConfigError, `tls.${option}: a configuration error`)
    t.match((err as Error).message, `site.yaml:4:`, 'with file and line')
    t.match((err as Error).message, `tls.${option}: ${path} does not exist`, 'naming the option and the path')
    t.notOk(existsSync(path), 'nothing was written there')
  }
})

t.test('the default paths, named or not, are still generated when absent', async (t) => {
  const dir = tempDir(t)
  const s = await startSite(t, site(', cert: certs/typo.crt, key: certs/typo.key'), { dir })
  t.ok(existsSync(join(dir, 'certs/typo.crt')) && existsSync(join(dir, 'certs/typo.key')), 'generated at <dir>/<site>.crt and .key')
  await s.gw.close()
})
