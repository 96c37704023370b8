// npm publish and dist-tag changes through a child are refused, and npm prints the gateway's reason
// as readable text; nothing reaches the root.
import t from 'tap'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { tempDir } from './helpers/sites.ts'
import { runNpm } from './helpers/npm-client.ts'
import { startNpmStack } from './helpers/npm-stack.ts'

t.test('npm writes are refused with a message npm prints clearly', async (t) => {
  const stack = await startNpmStack(t, tempDir(t), { packages: ['left-pad'] })
  const npm = { ...stack.npm, token: 'a-client-token-that-must-not-matter' }
  const pkg = join(stack.dir, 'new-pkg')
  mkdirSync(pkg)
  writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'brand-new', version: '1.0.0' }))
  const pub = await runNpm(npm, ['publish'], { cwd: pkg })
  t.not(pub.code, 0, 'npm publish fails')
  t.match(pub.stderr, /405/, 'with the status')
  t.match(pub.stderr, /not accepted by this gateway; run them against the root registry/, 'and the reason as text')
  t.notMatch(pub.stderr, /\[object Object\]/)

  const tag = await runNpm(npm, ['dist-tag', 'add', 'left-pad@1.0.0', 'stable'], { cwd: pkg })
  t.not(tag.code, 0, 'npm dist-tag add fails')
  t.match(tag.stderr, /not accepted by this gateway/)

  const direct = await runNpm(stack.root.npm, ['view', 'brand-new', 'name'], { cwd: pkg })
  t.not(direct.code, 0, 'nothing was published at the root')
  t.notOk(stack.child.logs.text.includes('a-client-token-that-must-not-matter'), 'the client token is in no log line')
})
