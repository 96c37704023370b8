// With forward.cache on, a package that is not synchronized goes through the cache (packument and
// tarballs): a new version published at the root while it is up appears at the next install (the
// packument is revalidated), and once it was installed through the child it keeps installing with
// Verdaccio stopped, as Verdaccio itself does for what it once fetched from its uplink.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { tempDir } from './helpers/sites.ts'
import { npmProject, startNpmStack } from './helpers/npm-stack.ts'

const version = (app: string) => (JSON.parse(readFileSync(join(app, 'node_modules/not-synced/package.json'), 'utf8')) as { version: string }).version

t.test('an unsynchronized package installed once keeps installing with the root stopped', async (t) => {
  const stack = await startNpmStack(t, tempDir(t), { extra: 'forward: { cache: { enabled: true } }\n' })

  const first = npmProject(stack, 'first', { 'not-synced': '^1.0.0' })
  const r1 = await stack.install(first)
  t.equal(r1.code, 0, `first install: ${r1.stderr}`)
  t.equal(version(first), '1.0.0')

  t.equal((await stack.root.publish({ name: 'not-synced', version: '1.1.0' })).code, 0, 'a new version is published at the root')
  const second = npmProject(stack, 'second', { 'not-synced': '^1.0.0' })
  const r2 = await stack.install(second)
  t.equal(r2.code, 0, `second install: ${r2.stderr}`)
  t.equal(version(second), '1.1.0', 'the new version appears at the next install')

  await stack.root.stop()
  const third = npmProject(stack, 'third', { 'not-synced': '^1.0.0' })
  const r3 = await stack.install(third)
  t.equal(r3.code, 0, `install with the root stopped: ${r3.stderr}`)
  t.equal(version(third), '1.1.0', 'the last version seen is installed')
  t.ok(readFileSync(join(third, 'node_modules/not-synced/index.js'), 'utf8').includes('not-synced@1.1.0'), 'from its whole tarball')

  const lines = stack.child.logs.lines().filter((l) => l.msg === 'request' && String(l.path).includes('not-synced'))
  t.ok(lines.some((l) => l.cache === 'stale'), 'the request log says stale answers were served')
  t.notOk(stack.child.logs.text.includes(stack.root.token), 'the site key is in no log line')
})
