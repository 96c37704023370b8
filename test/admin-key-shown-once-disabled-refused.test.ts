// A key created on the keys page is shown once; after a reload it is gone from the page. Disabled on
// the page, the root refuses it at once; enabled again, it works again.
import t from 'tap'
import { fetchText, tempDir } from './helpers/sites.ts'
import { startRoot, publishBlob, bearer } from './helpers/hub.ts'
import { launchBrowser, openAdmin, signIn } from './helpers/browser.ts'

t.test('create a key on the page, see it once, disable it and the root refuses it', async (t) => {
  const root = await startRoot(t, { dir: tempDir(t) })
  await publishBlob(root, 'acme/app', '1.0', Buffer.from('bytes'))
  const browser = await launchBrowser(t)
  const a = await openAdmin(browser, root)
  await signIn(a, root.admin)
  await a.page.click('a[href="/admin/keys"]')
  await a.page.waitForSelector('body[data-page="keys"]')

  await a.page.fill('#key-name', 'osaka')
  await a.page.selectOption('#key-scope', 'read')
  await a.page.click('#create-key button[type="submit"]')
  const key = (await (await a.page.waitForSelector('#new-key-value')).textContent())!
  t.match(key, /^fgk_[0-9a-f]{16}_/, 'the new key is shown')
  const reads = () => fetchText(root, '/api/v1/repos/acme/app', { headers: bearer(key) })
  t.equal((await reads()).status, 200, 'and works at the root')

  const row = await a.page.waitForSelector('#keys tbody tr:has(th:text-is("osaka"))')
  t.equal(await row.$eval('.badge', (b) => b.textContent), 'enabled')
  await a.page.reload()
  await a.page.waitForSelector('#keys tbody tr:has(th:text-is("osaka"))')
  t.notOk((await a.page.content()).includes(key), 'shown once: after a reload it is nowhere in the page')

  await a.page.click('#keys tbody tr:has(th:text-is("osaka")) button[data-action="disable"]')
  await a.page.waitForFunction(() => [...document.querySelectorAll('#keys tbody tr')].some((r) => r.querySelector('th')?.textContent === 'osaka' && r.querySelector('.badge')?.textContent === 'disabled'))
  t.equal((await reads()).status, 401, 'disabled: the root refuses it')

  await a.page.click('#keys tbody tr:has(th:text-is("osaka")) button[data-action="enable"]')
  await a.page.waitForFunction(() => [...document.querySelectorAll('#keys tbody tr')].some((r) => r.querySelector('th')?.textContent === 'osaka' && r.querySelector('.badge')?.textContent === 'enabled'))
  t.equal((await reads()).status, 200, 'enabled again: it works')

  // Recreate: a new secret shown once, the old one refused.
  a.page.once('dialog', (d) => void d.accept())
  await a.page.click('#keys tbody tr:has(th:text-is("osaka")) button[data-action="recreate"]')
  await a.page.waitForFunction((old) => {
    const v = document.getElementById('new-key-value')?.textContent
    return v && v !== old
  }, key)
  const next = (await a.page.textContent('#new-key-value'))!
  t.equal((await fetchText(root, '/api/v1/repos/acme/app', { headers: bearer(next) })).status, 200, 'recreated: the new secret works')
  t.equal((await reads()).status, 401, 'and the old one is refused')
  t.notOk(root.logs.text.includes(key) || root.logs.text.includes(next), 'no key in the logs')
})
