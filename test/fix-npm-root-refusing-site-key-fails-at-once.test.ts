// A root that answers 401 or 403 to a packument read made with the site's key (the root does not let
// this site read that package) made the gateway answer 502, which npm retries twice, after 10 s and
// 60 s, before failing with a "bad gateway". Now npm gets 403 (GW_ERR_ROOT_REFUSED) at once, saying
// the root refused the site's key for that package with which status and why, and npm does not retry
// it. The root's reason is passed on with the site's key masked out.
import t from 'tap'
import { runNpm } from './helpers/npm-client.ts'
import { npmProject, npmWithDefaults, retrySettings, startNpmStack } from './helpers/npm-stack.ts'
import { childYaml, fetchText, startOrigin, startSite, tempDir, writeSecret } from './helpers/sites.ts'

const NPM_AGENT = 'npm/10.8.2 node/v20.20.2 linux x64 workspaces/false'

t.test('npm with its default retries fails at once on a package the root does not let the site read', async (t) => {
  // The site's key (the test user) may read every package but private-*, which only another user may read.
  const rootPackages = "  'private-*':\n    access: someone-else\n    publish: $authenticated\n    unpublish: $authenticated\n"
  const stack = await startNpmStack(t, tempDir(t), {
    packages: ['left-pad'],
    fixtures: [{ name: 'left-pad', version: '1.0.0' }, { name: 'private-thing', version: '1.0.0' }],
    rootPackages,
  })
  const npm = npmWithDefaults(stack)
  const app = npmProject(stack, 'app', { 'private-thing': '1.0.0' })
  t.match(await retrySettings(npm, app), /fetch-retries=2\nfetch-retry-mintimeout=10000\n/, 'npm runs with its default retries')

  const run = await runNpm(npm, ['install'], { cwd: app, timeout: 180_000 })
  t.comment(`npm failed after ${Math.round(run.ms)} ms:\n${run.stderr}`)
  t.not(run.code, 0, 'the install fails')
  t.match(run.stderr, /code E403/, 'npm shows 403, a status it does not retry')
  t.match(run.stderr, /The root registry does not let this site read this package/, "and the gateway's reason")
  t.match(run.stderr, /private-thing: the root answered 403/, 'naming the package and the root\'s status')
  t.match(run.stderr, /someone-else|not allowed to access/, "and the root's own words")
  t.notMatch(run.stderr, /\[object Object\]|Bad Gateway|\b502\b/, 'no bad gateway, nothing unreadable')
  t.notOk(run.stderr.includes(stack.root.token), 'the site key is not in what npm printed')

  // npm has exited, so every request it made is over; request lines are written in batches.
  const asked = await stack.child.logs.waitFor((l) => l.msg === 'request' && l.path === '/private-thing', 2)
  t.equal(asked.length, 1, 'npm asked once: no retry')
  t.equal(asked[0]?.status, 403)
  t.equal(asked[0]?.error, 'GW_ERR_ROOT_REFUSED')
  t.notOk(stack.child.logs.text.includes(stack.root.token), 'nor in the site\'s logs')
})

t.test("a root's 401 that echoes the site's key: 403 with the key masked", async (t) => {
  const dir = tempDir(t)
  const key = 'site-key-0123456789abcdef-secret'
  const root = await startOrigin(t, (req, res) => {
    res.writeHead(req.url === '/forbidden' ? 403 : 401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer' })
    res.end(JSON.stringify({ error: `the token ${String(req.headers.authorization)} is not valid for this package` }))
  })
  writeSecret(dir, 'root.key', key)
  const child = await startSite(t, childYaml('branch', root.url, 'npm:\n  packages: []\n'), { dir, name: 'branch' })
  for (const [path, status] of [['/refused', 401], ['/forbidden', 403]] as const) {
    const r = await fetchText(child, path, { headers: { accept: 'application/json', 'user-agent': NPM_AGENT } })
    t.equal(r.status, 403, `${path}: the root's ${status} is answered 403`)
    t.notOk(r.headers['www-authenticate'], 'with no challenge that would ask the user for credentials')
    const body = JSON.parse(r.body) as { error: string; code: string }
    t.equal(body.code, 'GW_ERR_ROOT_REFUSED')
    t.match(body.error, `${path.slice(1)}: the root answered ${status}`)
    t.match(body.error, /is not valid for this package/, "the root's reason is kept")
    t.notOk(r.body.includes(key), 'the site key is not in the body')
  }
  t.notOk(child.logs.text.includes(key), 'nor in the logs')
})
