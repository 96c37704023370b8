// Packages with legacy names (capitals, `~`), which npm still installs though it no longer takes them
// for new packages, are synchronized like any other and install through the child while Verdaccio is
// stopped; `JSONStream` and `jsonstream` stay two packages.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { tempDir } from './helpers/sites.ts'
import { npmProject, startNpmStack } from './helpers/npm-stack.ts'

t.test('legacy names synchronize and install while the root is down', async (t) => {
  const stack = await startNpmStack(t, tempDir(t), {
    packages: ['JSONStream', 'jsonstream', 'tilde~pkg'],
    fixtures: [
      { name: 'JSONStream', version: '1.3.5' },
      { name: 'jsonstream', version: '2.0.0' },
      { name: 'tilde~pkg', version: '1.0.0' },
    ],
  })
  const status = await stack.syncNow()
  t.same(status.packages.map((p) => `${p.name} ${p.state}`).sort(), ['JSONStream in-sync', 'jsonstream in-sync', 'tilde~pkg in-sync'], 'the status names each package as npm does')
  await stack.root.stop()

  const app = npmProject(stack, 'app', { JSONStream: '1.3.5', 'tilde~pkg': '^1.0.0' })
  const ok = await stack.install(app)
  t.equal(ok.code, 0, `npm install of legacy names succeeds with the root down: ${ok.stderr}`)
  t.equal(readFileSync(join(app, 'node_modules/JSONStream/index.js'), 'utf8').trim(), 'module.exports = "JSONStream@1.3.5"', 'JSONStream is its own package')
  t.equal(JSON.parse(readFileSync(join(app, 'node_modules/tilde~pkg/package.json'), 'utf8')).version, '1.0.0')

  const lower = npmProject(stack, 'lower', { jsonstream: '2.0.0' })
  const ok2 = await stack.install(lower)
  t.equal(ok2.code, 0, `jsonstream installs too: ${ok2.stderr}`)
  t.equal(readFileSync(join(lower, 'node_modules/jsonstream/index.js'), 'utf8').trim(), 'module.exports = "jsonstream@2.0.0"', 'jsonstream is not JSONStream')
  t.notOk(stack.child.logs.text.includes(stack.root.token), 'the site key is in no log line')
})
