// The real npm client installs through a child whose root is a real Verdaccio: synchronized packages
// (plain, scoped, with a dependency) and a package that is only forwarded, with an empty npm cache.
// package-lock.json records the gateway's URLs, never the root's.
import t from 'tap'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { tempDir } from './helpers/sites.ts'
import { lockedUrls, npmProject, startNpmStack } from './helpers/npm-stack.ts'

t.test('npm install through the gateway records the gateway in package-lock.json', async (t) => {
  const stack = await startNpmStack(t, tempDir(t))
  const app = npmProject(stack, 'app', { '@acme/util': '^1.0.0', 'not-synced': '1.0.0' })
  const r = await stack.install(app)
  t.equal(r.code, 0, `npm install succeeds: ${r.stderr}`)

  t.equal(JSON.parse(readFileSync(join(app, 'node_modules/left-pad/package.json'), 'utf8')).version, '1.2.0', 'the dependency resolved to the newest version')
  t.ok(existsSync(join(app, 'node_modules/@acme/util/index.js')), 'the scoped package is installed')
  t.ok(existsSync(join(app, 'node_modules/not-synced/index.js')), 'the package that is only forwarded is installed')

  const urls = lockedUrls(app)
  t.equal(urls.length, 3, 'three packages locked')
  for (const u of urls) t.ok(u.startsWith(`${stack.publicUrl}/`), `${u} is the gateway's`)
  t.notOk(urls.some((u) => u.includes(String(stack.root.port))), 'no locked URL names the root')

  const lines = stack.child.logs.lines().filter((l) => l.msg === 'request')
  const served = (p: string) => lines.filter((l) => String(l.path).startsWith(p))
  t.ok(served('/left-pad').every((l) => l.route === 'npm' && !l.upstream), 'left-pad came from the store')
  t.ok(served('/not-synced').some((l) => l.upstream), 'not-synced went to the root')
  t.notOk(stack.child.logs.text.includes(stack.root.token), 'the site key is in no log line')
})
