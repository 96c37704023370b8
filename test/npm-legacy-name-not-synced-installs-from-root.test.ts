// A package with a legacy name (capitals) that is not synchronized here installs through the child from
// its root, with the gateway's URLs in package-lock.json, as any other package not synchronized here.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { tempDir } from './helpers/sites.ts'
import { lockedUrls, npmProject, startNpmStack } from './helpers/npm-stack.ts'

t.test('an unsynchronized legacy name installs from the root through the child', async (t) => {
  const stack = await startNpmStack(t, tempDir(t), { packages: ['left-pad'], fixtures: [{ name: 'left-pad', version: '1.0.0' }, { name: 'Base64Legacy', version: '0.1.0' }] })
  const app = npmProject(stack, 'app', { Base64Legacy: '0.1.0' })
  const r = await stack.install(app)
  t.equal(r.code, 0, `npm install succeeds: ${r.stderr}`)
  t.equal(readFileSync(join(app, 'node_modules/Base64Legacy/index.js'), 'utf8').trim(), 'module.exports = "Base64Legacy@0.1.0"')
  const urls = lockedUrls(app)
  t.same(urls, [`${stack.publicUrl}/Base64Legacy/-/Base64Legacy-0.1.0.tgz`], 'locked at the gateway\'s URL')
  const lines = stack.child.logs.lines().filter((l) => l.msg === 'request' && String(l.path).startsWith('/Base64Legacy'))
  t.ok(lines.length >= 2 && lines.every((l) => l.status === 200 && l.upstream), 'packument and tarball came from the root')
  t.notOk(stack.child.logs.text.includes(stack.root.token), 'the site key is in no log line')
})
