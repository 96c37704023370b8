// An admin key signs in through the page's form: the session cookie is HttpOnly, Secure,
// SameSite=Strict and expires; the key appears nowhere in the page, its URLs, its storage or the logs.
import t from 'tap'
import { tempDir } from './helpers/sites.ts'
import { startRoot } from './helpers/hub.ts'
import { launchBrowser, openAdmin, signIn } from './helpers/browser.ts'

t.test('an admin key signs in; the key stays out of the page, its URLs and the logs', async (t) => {
  const root = await startRoot(t, { dir: tempDir(t), extra: 'admin: { session: 1h }\n' })
  const browser = await launchBrowser(t)
  const a = await openAdmin(browser, root)
  t.ok(await a.page.isVisible('form[action="/admin/sign-in"]'), 'without a session: the sign-in form')
  await signIn(a, root.admin)

  t.equal(await a.page.textContent('h1'), 'Overview')
  await a.page.waitForFunction(() => document.getElementById('role')?.textContent === 'root')
  const cookies = await a.context.cookies()
  t.equal(cookies.length, 1, 'one cookie')
  const c = cookies[0]!
  t.match(c, { name: '__Host-fedgate_admin', path: '/', httpOnly: true, secure: true, sameSite: 'Strict' })
  t.ok(c.expires > Date.now() / 1000 && c.expires <= Date.now() / 1000 + 3600 + 5, 'it expires with the session (1h)')
  t.notOk(c.value.includes(root.admin), 'the cookie is not the key')

  const html = await a.page.content()
  const storage = await a.page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie)
  t.notOk(html.includes(root.admin), 'the key is not in the page')
  t.notOk(storage.includes(root.admin), 'nor in storage or script-readable cookies')
  t.notOk(a.requests.some((u) => u.includes(root.admin)), 'nor in any URL the page asked for')
  t.notOk(root.logs.text.includes(root.admin), 'nor in the logs')

  // Signing out ends the session: the cookie no longer opens the page.
  await Promise.all([a.page.waitForURL(/\/admin$/), a.page.click('#sign-out')])
  await a.page.waitForSelector('form[action="/admin/sign-in"]')
  t.ok(await a.page.isVisible('#key'), 'signed out: the form again')
})
