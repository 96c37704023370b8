// A change the site refused showed "[object Object]" on the admin page: the page read the catalogue's
// error body ({"error": {"code", "message"}}) as if its message were at the top. It now shows the
// message, which names the problem.
import t from 'tap'
import { tempDir } from './helpers/sites.ts'
import { startRoot } from './helpers/hub.ts'
import { launchBrowser, openAdmin, signIn } from './helpers/browser.ts'

t.test('a refused change shows why on the page', async (t) => {
  const root = await startRoot(t, { dir: tempDir(t) })
  const browser = await launchBrowser(t)
  const a = await openAdmin(browser, root)
  await signIn(a, root.admin)
  await a.page.goto(`${root.url}/admin/keys`)

  // A publish key needs namespaces: refused with 400.
  await a.page.fill('#key-name', 'ci')
  await a.page.selectOption('#key-scope', 'publish')
  await a.page.click('#create-key button[type="submit"]')
  await a.page.waitForFunction(() => document.getElementById('key-result')?.textContent?.startsWith('Not created'))
  const said = (await a.page.textContent('#key-result'))!
  t.notMatch(said, /object Object/, 'not the error object\'s name')
  t.match(said, /namespaces/, 'the problem, named')
})
