// A secret file of several lines (a key with a stray second line, two keys pasted in one file) was used
// whole, newlines and all: the root refused every request sent with it, or undici refused the header.
// An option that takes one secret now refuses such a file (or variable) naming it and its line count; a
// trailing newline is fine, and a tunnel's `tokens`, documented as one token a line, takes several.
import t from 'tap'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseConfig } from '../gateway/config/load.ts'
import { builtinPlugins } from '../plugins/index.ts'
import { tempDir } from './helpers/sites.ts'

const child = (key: string) => `site: { name: lines, role: child }\nroot:\n  url: https://root.example\n  key: ${key}\n`

t.test('a secret of several lines is refused where one is taken, naming the file and its lines', async (t) => {
  const dir = tempDir(t)
  const yaml = join(dir, 'site.yaml')
  const load = (text: string, env: NodeJS.ProcessEnv = {}) => parseConfig(text, yaml, builtinPlugins, env)
  const secret = (name: string, content: string) => {
    writeFileSync(join(dir, name), content, { mode: 0o600 })
    return join(dir, name)
  }

  const two = secret('two.key', 'fgk_first_key_aaaa\nfgk_second_key_bbbb\n')
  t.throws(() => load(child('file:./two.key')), { message: `site.yaml:4:8: root.key: expected a secret file of one line (${two} has 2 lines; only a tunnel's tokens take one a line)` })
  const gap = secret('gap.key', 'fgk_first_key_aaaa\r\n\r\n# a note\r\n')
  t.throws(() => load(child('file:./gap.key')), { message: `(${gap} has 3 lines;` }, 'blank and comment lines count: the key is one line')
  t.throws(() => load(child('${ROOT_KEY}'), { ROOT_KEY: 'fgk_first\nfgk_second' }), { message: 'site.yaml:4:8: root.key: expected environment variable ROOT_KEY to hold one line (it has 2)' })
  t.notMatch(String((() => { try { load(child('file:./two.key')) } catch (e) { return e } })()), /fgk_/, 'never the secret in the error')

  secret('one.key', '\nfgk_only_key_cccc\r\n\n')
  t.equal(load(child('file:./one.key')).root?.key?.reveal(), 'fgk_only_key_cccc', 'blank lines around one line are fine')

  secret('tokens.txt', '# callers\ntoken-one-dddd\n\ntoken-two-eeee\n')
  const tunnels = `site: { name: lines, role: root }\ntunnels:\n  - { path: /ws, upstream: ws://127.0.0.1:9/ws, tokens: file:./tokens.txt }\n`
  t.doesNotThrow(() => load(tunnels), 'a tunnel\'s tokens file takes one token a line')
})
