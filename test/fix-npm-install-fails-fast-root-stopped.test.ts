// With npm's default retry settings and the root (Verdaccio) stopped, `npm install` of a package that is
// not synchronized fails after one request, with the outage named: the child answers npm 424, which npm
// does not retry (it retries 408, 420, 429 and every 5xx, twice, after 10 s then 60 s: 70 s before).
import t from 'tap'
import { runNpm } from './helpers/npm-client.ts'
import { npmProject, npmWithDefaults, retrySettings, startNpmStack } from './helpers/npm-stack.ts'
import { tempDir } from './helpers/sites.ts'

t.test('npm with its default retries fails at once on a package that is not synchronized while the root is stopped', async (t) => {
  const stack = await startNpmStack(t, tempDir(t))
  await stack.root.stop()

  const npm = npmWithDefaults(stack)
  const app = npmProject(stack, 'app', { 'not-synced': '1.0.0' })
  t.match(await retrySettings(npm, app), /fetch-retries=2\nfetch-retry-mintimeout=10000\n/, 'npm runs with its default retries')

  const run = await runNpm(npm, ['install'], { cwd: app, timeout: 180_000 })
  t.comment(`npm failed after ${Math.round(run.ms)} ms`)
  t.not(run.code, 0, 'the install fails')
  t.match(run.stderr, /\b424\b/, 'npm shows a status it does not retry')
  t.match(run.stderr, /branch cannot reach its root \(/, 'and the gateway\'s message naming the outage')
  t.notMatch(run.stderr, /\[object Object\]/, 'never an unreadable object')
  t.notOk(run.stderr.includes(stack.root.token), 'the site key is not in what npm printed')

  // npm has exited, so every request it made is over; request lines are written in batches.
  const asked = await stack.child.logs.waitFor((l) => l.msg === 'request' && l.path === '/not-synced', 2)
  t.equal(asked.length, 1, 'npm asked once: no retry')
  t.equal(asked[0]?.status, 424)
  t.equal(asked[0]?.error, 'GW_ERR_ROOT_OUTAGE')
})
