// The sources are ES modules, strict code throughout, and so was the ESM bundle; the CommonJS bundle
// fedgate runs (dist/gateway/cli/main.cjs) put its banner line before esbuild's "use strict", which is then
// no directive: the whole compiled program ran sloppy (a write to a frozen object ignored instead of
// throwing, `this` the global object in a plain call), unlike the sources every test runs. Seen as V8 sees
// it: a `with` statement, a syntax error in strict code only, is appended and the bundle compiled as its
// loaders (bin.mjs's vm.Script, Node's require) compile it.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import vm from 'node:vm'

const BUNDLE = fileURLToPath(new URL('../dist/gateway/cli/main.cjs', import.meta.url))

t.test('the compiled bundle is strict code, as the sources are', async (t) => {
  const source = readFileSync(BUNDLE, 'utf8')
  t.throws(() => vm.compileFunction(`${source}\nwith ({}) {}`, ['exports', 'require', 'module', '__filename', '__dirname'], { filename: BUNDLE }), /strict mode/i)
})
