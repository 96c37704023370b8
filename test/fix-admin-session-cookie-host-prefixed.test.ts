// The admin session cookie was `fedgate_admin` with Path=/admin: without the __Host- prefix a browser
// lets a sibling host of the site (a Domain cookie from app.example.com for example.com) or a plain-HTTP
// answer on the same host plant or shadow it (session fixation). It is `__Host-fedgate_admin` now, which
// browsers take only with Secure, Path=/ and no Domain. The page is served over HTTPS only (a plain-HTTP
// listener refuses it, admin-https-only), so the prefix always holds.
import t from 'tap'
import { tempDir } from './helpers/sites.ts'
import { startRoot } from './helpers/hub.ts'
import { adminApi, isSession, signInHttp } from './helpers/admin-http.ts'

/** A Set-Cookie line as name, value and attributes (names lower-cased). */
function parseSetCookie(line: string): { name: string; value: string; attrs: Map<string, string> } {
  const [pair, ...rest] = line.split(';').map((p) => p.trim())
  const eq = pair!.indexOf('=')
  const attrs = new Map(rest.map((a) => [a.split('=')[0]!.toLowerCase(), a.includes('=') ? a.slice(a.indexOf('=') + 1) : '']))
  return { name: pair!.slice(0, eq), value: pair!.slice(eq + 1), attrs }
}

t.test('the session cookie is __Host- prefixed, as browsers require it', async (t) => {
  const root = await startRoot(t, { dir: tempDir(t) })
  const s = await signInHttp(root, root.admin)
  if (!isSession(s)) throw new Error(`sign-in failed: ${JSON.stringify(s)}`)
  const c = parseSetCookie(s.setCookie)
  t.equal(c.name, '__Host-fedgate_admin', 'named with the __Host- prefix')
  t.ok(c.attrs.has('secure'), 'Secure')
  t.equal(c.attrs.get('path'), '/', 'Path=/ (the prefix allows no other)')
  t.notOk(c.attrs.has('domain'), 'no Domain: this host only')
  t.ok(c.attrs.has('httponly'), 'HttpOnly')
  t.equal(c.attrs.get('samesite'), 'Strict', 'SameSite=Strict')

  t.equal((await adminApi(root, s, 'GET', '/admin/api/state')).status, 200, 'the cookie opens the page\'s API')
  const unprefixed = await adminApi(root, s, 'GET', '/admin/api/state', undefined, { cookie: `fedgate_admin=${c.value}` })
  t.equal(unprefixed.status, 401, 'the same id under a name anyone could plant opens nothing')

  const out = await adminApi(root, s, 'POST', '/admin/api/sign-out', {})
  t.equal(out.status, 200, 'signed out')
  const cleared = parseSetCookie(String(out.headers['set-cookie']))
  t.equal(cleared.name, '__Host-fedgate_admin', 'sign-out clears the same cookie')
  t.equal(cleared.attrs.get('path'), '/', 'at the same path')
  t.equal(cleared.attrs.get('max-age'), '0', 'at once')
  t.ok(cleared.attrs.has('secure'), 'with Secure, or the browser would not take it')
})
