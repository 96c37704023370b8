// A wrong key on the sign-in form gets the form again with a refusal and no session: an unknown key, a
// malformed one, and a valid key that is not an admin key. The typed key is not echoed or logged.
import t from 'tap'
import { tempDir } from './helpers/sites.ts'
import { startRoot } from './helpers/hub.ts'
import { launchBrowser, openAdmin } from './helpers/browser.ts'

t.test('a wrong key is refused at sign-in', async (t) => {
  const root = await startRoot(t, { dir: tempDir(t) })
  const browser = await launchBrowser(t)
  const unknown = root.admin.slice(0, -4) + (root.admin.endsWith('AAAA') ? 'BBBB' : 'AAAA')
  for (const [what, key, message] of [
    ['an admin key with a wrong secret', unknown, 'That key was refused.'],
    ['not a key at all', 'letmein-please', 'That key was refused.'],
    ['a read key', root.read, 'That key is not an admin key.'],
  ] as const) {
    const a = await openAdmin(browser, root)
    await a.page.fill('#key', key)
    const [res] = await Promise.all([a.page.waitForResponse((r) => r.url().endsWith('/admin/sign-in')), a.page.click('button[type="submit"]')])
    t.equal(res.status(), 401, `${what}: 401`)
    t.equal((await a.page.textContent('[role="alert"]'))?.trim(), message, `${what}: says so`)
    t.ok(await a.page.isVisible('form[action="/admin/sign-in"]'), `${what}: the form again`)
    t.same(await a.context.cookies(), [], `${what}: no cookie`)
    t.notOk((await a.page.content()).includes(key), `${what}: not echoed`)
    // Nothing of the API opens without a session.
    const state = await a.page.evaluate(async () => (await fetch('/admin/api/state')).status)
    t.equal(state, 401, `${what}: the API stays closed`)
    await a.context.close()
  }
  t.notOk(root.logs.text.includes(root.read) || root.logs.text.includes(unknown) || root.logs.text.includes('letmein-please'), 'no typed key in the logs')
})
