// Verdaccio stops: npm install of synchronized packages still succeeds through the child with an
// empty npm cache, and a package that is not synchronized fails at once with a message saying why.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { tempDir } from './helpers/sites.ts'
import { npmProject, startNpmStack } from './helpers/npm-stack.ts'

t.test('synchronized packages install while the root is down; others fail clearly', async (t) => {
  const stack = await startNpmStack(t, tempDir(t))
  await stack.root.stop()

  const app = npmProject(stack, 'app', { '@acme/util': '^1.0.0', 'left-pad': '1.1.0' })
  const ok = await stack.install(app)
  t.equal(ok.code, 0, `npm install of synchronized packages succeeds: ${ok.stderr}`)
  t.equal(JSON.parse(readFileSync(join(app, 'node_modules/left-pad/package.json'), 'utf8')).version, '1.1.0')
  t.ok(readFileSync(join(app, 'node_modules/@acme/util/index.js'), 'utf8').includes('@acme/util@1.0.0'))

  const other = npmProject(stack, 'other', { 'not-synced': '1.0.0' })
  const bad = await stack.install(other)
  t.not(bad.code, 0, 'a package that is not synchronized fails')
  t.match(bad.stderr, /424/, 'npm shows the status')
  t.match(bad.stderr, /cannot reach its root \((unreachable|down)/i, 'and the gateway\'s reason, as text')
  t.notMatch(bad.stderr, /\[object Object\]/, 'never an unreadable object')
  t.comment(`failed after ${Math.round(bad.ms)} ms with fetch-retries=0`)
  t.notOk(stack.child.logs.text.includes(stack.root.token), 'the site key is in no log line')
  t.notOk(bad.stderr.includes(stack.root.token) || ok.stderr.includes(stack.root.token), 'nor in any answer npm printed')
})
