// With npm.allowWrites false, every npm write is refused at the child even though forward.allowWrites
// is true: deprecate (its `?write=true` read), login, access, legacy upper-case names. The answer is in
// npm's error shape, naming npm.allowWrites, and nothing reaches the root.
import t from 'tap'
import { request } from 'undici'
import { fetchText, tempDir } from './helpers/sites.ts'
import { runNpm } from './helpers/npm-client.ts'
import { startNpmStack } from './helpers/npm-stack.ts'

t.test('npm writes are refused in npm\'s shape, naming npm.allowWrites', async (t) => {
  const stack = await startNpmStack(t, tempDir(t), { packages: ['left-pad'], extra: 'forward: { allowWrites: true }\n' })
  const dev = { ...stack.npm, token: stack.root.token }

  const dep = await runNpm(dev, ['deprecate', 'left-pad@1.0.0', 'old'], { cwd: stack.dir })
  t.not(dep.code, 0, 'npm deprecate fails')
  t.match(dep.stderr, /405 Writes through this gateway are disabled \(npm\.allowWrites is false\)/, 'npm prints the status line naming the setting')
  t.match(dep.stderr, /GET \S+\/left-pad\?write=true/, 'at the ?write=true read')
  t.match(dep.stderr, /not accepted by this gateway; run them against the root registry/, 'and the reason')
  t.notMatch(dep.stderr, /\[object Object\]/)
  const deprecated = await runNpm(stack.root.npm, ['view', 'left-pad@1.0.0', 'deprecated'], { cwd: stack.dir })
  t.equal(deprecated.stdout.trim(), '', 'nothing is deprecated at the root')

  const access = await runNpm(dev, ['access', 'set', 'mfa=none', 'left-pad'], { cwd: stack.dir })
  t.not(access.code, 0, 'npm access fails')
  t.match(access.stderr, /npm\.allowWrites is false/)
  t.notMatch(access.stderr, /\[object Object\]/)

  // npm login (legacy) and a legacy upper-case name, which the npm path parser does not take.
  const writes: [string, string][] = [
    ['PUT', '/-/user/org.couchdb.user:mallory'],
    ['POST', '/-/v1/login'],
    ['PUT', '/JSONStream'],
    ['DELETE', '/-/package/left-pad/dist-tags/latest'],
  ]
  for (const [method, path] of writes) {
    // As npm sends them: its user agent and npm-command header.
    const r = await fetchText(stack.child, path, { method, headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.root.token}`, 'user-agent': 'npm/10.8.2 node/v20.20.2 linux x64 workspaces/false', 'npm-command': 'publish' }, body: JSON.stringify({ name: 'mallory', password: 'p4ssw0rd-p4ssw0rd' }) })
    t.equal(r.status, 405, `${method} ${path} is refused`)
    const body = JSON.parse(r.body) as { error: unknown; code: string }
    t.equal(typeof body.error, 'string', 'error is a string npm prints')
    t.match(body.error as string, /npm\.allowWrites is false/)
    t.equal(body.code, 'GW_ERR_WRITES_DISABLED')
  }
  const created = await request(`${stack.root.url}-/user/org.couchdb.user:mallory`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'mallory', password: 'another-password-1', email: 'm@example.invalid' }),
  })
  await created.body.dump()
  t.equal(created.statusCode, 201, 'the login never reached the root: the user did not exist there')

  const lines = stack.child.logs.lines().filter((l) => l.msg === 'request' && l.status === 405)
  t.ok(lines.length >= writes.length + 2, 'each refusal is logged')
  t.notOk(lines.some((l) => l.upstream !== undefined), 'and none went upstream')
})
