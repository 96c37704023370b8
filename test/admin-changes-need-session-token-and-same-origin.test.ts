// CSRF: a change through the admin page's API needs the session cookie, the session's token in the
// x-fedgate-csrf header, and a same-origin request; the sign-in form refuses other origins. A refused
// change changes nothing.
import t from 'tap'
import { fetchText, tempDir } from './helpers/sites.ts'
import { startRoot } from './helpers/hub.ts'
import { adminApi, isSession, signInHttp } from './helpers/admin-http.ts'

t.test('changes need the session, its token and the same origin', async (t) => {
  const root = await startRoot(t, { dir: tempDir(t) })
  const keyCount = async () => (await root.keys.list()).length
  const before = await keyCount()

  const foreign = await signInHttp(root, root.admin, { origin: 'https://evil.example' })
  t.notOk(isSession(foreign), 'a sign-in posted from another origin opens no session')
  t.equal((foreign as { status: number }).status, 403)
  const crossSite = await signInHttp(root, root.admin, { 'sec-fetch-site': 'cross-site' })
  t.equal((crossSite as { status: number }).status, 403, 'nor one the browser says is cross-site')

  const s = await signInHttp(root, root.admin)
  if (!isSession(s)) throw new Error(`sign-in failed: ${JSON.stringify(s)}`)
  t.match(s.setCookie, /; HttpOnly/)
  t.match(s.setCookie, /; Secure/)
  t.match(s.setCookie, /; SameSite=Strict/)
  t.match(s.setCookie, /; Max-Age=\d+/)
  t.ok(s.csrf.length >= 32, 'the page carries a session token')

  const create = { name: 'osaka', scope: 'read' }
  const refused: [string, Record<string, string>, number][] = [
    ['no token', { 'x-fedgate-csrf': '' }, 403],
    ['a wrong token', { 'x-fedgate-csrf': s.csrf.slice(0, -2) + 'xx' }, 403],
    ['another origin', { origin: 'https://evil.example' }, 403],
    ['a cross-site request', { 'sec-fetch-site': 'cross-site' }, 403],
    ['no cookie', { cookie: '' }, 401],
    ['an unknown cookie', { cookie: '__Host-fedgate_admin=made-up' }, 401],
  ]
  for (const [what, headers, status] of refused) {
    const res = await adminApi(root, s, 'POST', '/admin/api/keys', create, headers)
    t.equal(res.status, status, `${what}: ${status}`)
  }
  t.equal(await keyCount(), before, 'no refused change created a key')
  const ids = (await root.keys.list()).map((k) => k.id)
  const disable = await adminApi(root, s, 'POST', `/admin/api/keys/${ids[0]}/disable`, {}, { 'x-fedgate-csrf': '' })
  t.equal(disable.status, 403, 'nor disables one')
  t.notOk((await root.keys.list())[0]!.disabled)

  const ok = await adminApi(root, s, 'POST', '/admin/api/keys', create)
  t.equal(ok.status, 201, 'with all three: created')
  t.equal(await keyCount(), before + 1)
  t.equal((await fetchText(root, '/admin/api/state')).status, 401, 'reads need the session too')
})
