// The admin page's API refuses bad input with an error naming the problem, and changes nothing.
import t from 'tap'
import { tempDir } from './helpers/sites.ts'
import { startRoot, startChild, issueKey } from './helpers/sync.ts'
import { adminApi, isSession, signInHttp } from './helpers/admin-http.ts'
import type { KeyRing } from '../plugins/hub/keys.ts'
import type { SyncAdmin } from '../plugins/sync/index.ts'

t.test('bad input is refused with a clear error and changes nothing', async (t) => {
  const dir = tempDir(t)
  const root = await startRoot(t, dir)
  const child = await startChild(t, dir, 'branch', root.url, root.readKey)
  const s = await signInHttp(child, await issueKey(child, 'admin'))
  if (!isSession(s)) throw new Error(`sign-in failed: ${JSON.stringify(s)}`)
  const keys = child.gw.service<KeyRing>('keys')!
  const before = (await keys.list()).length

  const cases: [string, string, unknown, number, RegExp][] = [
    ['a key with no scope', '/admin/api/keys', { name: 'osaka' }, 400, /scope/],
    ['a key with an unknown scope', '/admin/api/keys', { name: 'osaka', scope: 'root' }, 400, /scope/],
    ['a key with a bad name', '/admin/api/keys', { name: '<script>', scope: 'read' }, 400, /name/],
    ['a publish key without namespaces', '/admin/api/keys', { name: 'ci', scope: 'publish' }, 400, /namespaces/],
    ['namespaces not a list', '/admin/api/keys', { name: 'ci', scope: 'publish', namespaces: 'acme/*' }, 400, /namespaces/],
    ['a repository path', '/admin/api/repos', { name: '../etc' }, 400, /ns\/name/],
    ['no repository name', '/admin/api/repos', {}, 400, /name/],
    ['a sync of no kind', '/admin/api/sync', { name: 'acme/app' }, 400, /kind/],
    ['a sync of a pattern', '/admin/api/sync', { kind: 'repo', name: 'acme/*' }, 400, /name/],
    ['a sync of a repository not synchronized', '/admin/api/sync', { kind: 'repo', name: 'other/x' }, 404, /not synchronized/],
    ['a sync of an npm package not synchronized', '/admin/api/sync', { kind: 'npm', name: 'left-pad' }, 404, /not synchronized/],
    ['a dismissal of an unknown ownership conflict', '/admin/api/links/dismiss-conflict', { repo: 'acme/app', tag: '1.0' }, 404, /no ownership conflict.*acme\/app:1\.0/],
    ['a dismissal naming a bad repository', '/admin/api/links/dismiss-conflict', { repo: '../etc', tag: '1.0' }, 400, /namespace\/name/],
    ['a dismissal without a tag', '/admin/api/links/dismiss-conflict', { repo: 'acme/app' }, 400, /tag/],
  ]
  for (const [what, path, body, status, message] of cases) {
    const res = await adminApi(child, s, 'POST', path, body)
    t.equal(res.status, status, `${what}: ${status}`)
    t.match(JSON.parse(res.body).error.message, message, `${what}: says why`)
  }
  const notJson = await adminApi(child, s, 'POST', '/admin/api/keys', undefined, { 'content-type': 'application/json' })
  t.equal(notJson.status, 400, 'an empty body: 400')
  const bad = await adminApi(child, s, 'POST', '/admin/api/keys/0123456789abcdef/disable', {})
  t.equal(bad.status, 404, 'an unknown key id: 404')

  t.equal((await keys.list()).length, before, 'no key was created')
  t.same(child.gw.service<SyncAdmin>('syncAdmin')!.entries(), [], 'no repository was added')
})
