// A root.url with http:// and a key would send the key in clear on every forwarded read, probe and sync:
// the config is refused at load, at the url's line, unless root.allowPlainHttpKey says it is meant.
import t from 'tap'
import { join } from 'node:path'
import { parseConfig, ConfigError } from '../gateway/config/load.ts'
import { builtinPlugins } from '../plugins/index.ts'
import { tempDir, writeSecret } from './helpers/sites.ts'

const yaml = (url: string, more = '') => `site: { name: a, role: child }\nroot:\n  url: ${url}\n  key: file:./root.key\n${more}`

t.test('http:// with a key is refused naming the option and its line, unless explicitly allowed', async (t) => {
  const dir = tempDir(t)
  writeSecret(dir, 'root.key', 'fgk_plain_' + 'p'.repeat(30))
  const file = join(dir, 'site.yaml')
  const load = (text: string) => parseConfig(text, file, builtinPlugins, {})

  let err: unknown
  try {
    load(yaml('http://root.example:4873'))
  } catch (e) {
    err = e
  }
  t.ok(err instanceof ConfigError, 'refused at load')
  const message = (err as Error).message
  t.match(message, /^site\.yaml:3:\d+: root\.url: /, 'file:line and the option')
  t.match(message, /in clear/, 'says why')
  t.match(message, /root\.allowPlainHttpKey: true/, 'says how to allow it')
  t.notMatch(message, /fgk_plain_/, 'never echoes the key')

  t.equal(load(yaml('http://127.0.0.1:4873', '  allowPlainHttpKey: true\n')).root!.url.protocol, 'http:', 'allowed when said so')
  t.equal(load(yaml('https://root.example:9443')).root!.allowPlainHttpKey, false, 'https with a key: fine, the option defaults to false')
  t.ok(load('site: { name: a, role: child }\nroot:\n  url: http://root.example\n').root, 'http without a key: nothing to leak')
})
