// Every request the admin page makes, on every page and for every action, goes to the gateway's own
// origin: no font, script, style or image from anywhere else (sites are often offline).
import t from 'tap'
import { startAdminSite } from './helpers/admin-site.ts'
import { launchBrowser, openAdmin, signIn } from './helpers/browser.ts'

t.test('no request from the page leaves the gateway origin', async (t) => {
  const { child, admin } = await startAdminSite(t)
  const browser = await launchBrowser(t)
  const a = await openAdmin(browser, child)
  const origin = new URL(child.url).origin
  const away: string[] = []
  // Anything bound elsewhere is recorded and never sent.
  await a.context.route(
    (url) => url.origin !== origin,
    (route) => {
      away.push(route.request().url())
      return route.abort()
    },
  )
  await a.page.reload()
  await signIn(a, admin)
  for (const page of ['', '/federation', '/keys', '/tunnels', '/links']) {
    await a.page.goto(`${child.url}/admin${page}`)
    // A few live updates of each page.
    await a.page.waitForFunction(() => /updated/.test(document.getElementById('connection')?.textContent ?? ''), undefined, { timeout: 20_000 })
    await a.page.waitForTimeout(1500)
  }
  // The actions too.
  await a.page.goto(`${child.url}/admin/federation`)
  await a.page.click('tr[data-key="acme/app"] button')
  await a.page.goto(`${child.url}/admin/keys`)
  await a.page.fill('#key-name', 'nagoya')
  await a.page.click('#create-key button[type="submit"]')
  await a.page.waitForSelector('#new-key-value')
  await Promise.all([a.page.waitForURL(/\/admin$/), a.page.click('#sign-out')])

  t.ok(a.requests.length > 20, `the page made requests (${a.requests.length})`)
  t.same(away, [], 'none was bound elsewhere')
  t.same(a.requests.filter((u) => new URL(u).origin !== origin), [], 'every request went to the gateway origin')
})
