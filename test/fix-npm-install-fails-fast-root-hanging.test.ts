// With npm's default retry settings and the root replaced by a listener that accepts connections and
// never answers, `npm install` of a package that is not synchronized fails after one request, once
// npm.clientHeadersTimeout (5 s) passes, with the outage named; a synchronized package installs
// meanwhile. Before, npm waited npm.requestTimeout for each of its three tries (504 is retried): 160 s.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { runNpm } from './helpers/npm-client.ts'
import { npmProject, npmWithDefaults, retrySettings, startNpmStack } from './helpers/npm-stack.ts'
import { silentListener } from './helpers/raw-http.ts'
import { tempDir } from './helpers/sites.ts'

t.test('npm with its default retries fails within seconds on a package that is not synchronized while the root hangs', async (t) => {
  // A long npm.requestTimeout: only the npm client's own head timeout can end the wait early.
  const stack = await startNpmStack(t, tempDir(t), { extra: '  requestTimeout: 2m\n' })
  await stack.root.stop()
  await silentListener(t, stack.root.port)

  const npm = npmWithDefaults(stack)
  const app = npmProject(stack, 'app', { 'not-synced': '1.0.0' })
  const synced = npmProject(stack, 'synced', { 'left-pad': '1.1.0' })
  t.match(await retrySettings(npm, app), /fetch-retries=2\nfetch-retry-mintimeout=10000\n/, 'npm runs with its default retries')

  const [run, ok] = await Promise.all([runNpm(npm, ['install'], { cwd: app, timeout: 10 * 60_000 }), runNpm(npm, ['install'], { cwd: synced })])
  t.comment(`npm failed after ${Math.round(run.ms)} ms; the synchronized install took ${Math.round(ok.ms)} ms`)
  t.equal(ok.code, 0, `a synchronized package installs meanwhile: ${ok.stderr}`)
  t.equal(JSON.parse(readFileSync(join(synced, 'node_modules/left-pad/package.json'), 'utf8')).version, '1.1.0')

  t.not(run.code, 0, 'the install of a package that is not synchronized fails')
  t.match(run.stderr, /\b424\b/, 'npm shows a status it does not retry')
  t.match(run.stderr, /branch cannot reach its root \((no answer in time|down after repeated failures)/, 'and the gateway\'s message naming the outage')
  t.notOk(run.stderr.includes(stack.root.token), 'the site key is not in what npm printed')

  // npm has exited, so every request it made is over; request lines are written in batches.
  const asked = await stack.child.logs.waitFor((l) => l.msg === 'request' && l.path === '/not-synced', 2)
  t.equal(asked.length, 1, 'npm asked once: no retry')
  t.equal(asked[0]?.status, 424)
  // A generous bound: the answer took npm.clientHeadersTimeout (5 s), far from npm.requestTimeout (2 min).
  t.ok(Number(asked[0]?.ms) < 60_000, `answered in ${asked[0]?.ms} ms, not after npm.requestTimeout`)
})
