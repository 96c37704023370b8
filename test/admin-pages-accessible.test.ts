// axe-core finds no serious or critical accessibility violation on any admin page, signed out and
// signed in, with data on every page (a repository, a tunnel with refusals, keys, a key just shown).
import t from 'tap'
import { startAdminSite } from './helpers/admin-site.ts'
import { launchBrowser, openAdmin, seriousViolations, signIn } from './helpers/browser.ts'

t.test('no serious or critical axe violations on any page', async (t) => {
  const { child, admin } = await startAdminSite(t)
  const browser = await launchBrowser(t)
  const a = await openAdmin(browser, child)
  t.same(await seriousViolations(a.page), [], 'sign-in form')
  await a.page.fill('#key', 'wrong-key')
  await a.page.click('button[type="submit"]')
  await a.page.waitForSelector('[role="alert"]')
  t.same(await seriousViolations(a.page), [], 'sign-in form with its refusal')

  await signIn(a, admin)
  // Each page once its data is shown (the overview's sync leader and forward cache among it).
  const ready: Record<string, string[]> = {
    overview: ['#rate:not(:text-is("…"))', '#leader-state:text-is("leads")', '#cache-disk:has-text(" of ")'],
    federation: ['tr[data-key="acme/app"] .badge:text-is("in sync")'],
    keys: ['#keys tbody tr:has(th:text-is("osaka"))'],
    tunnels: ['#tunnels tbody tr:has(td:has-text("127.0.0.1"))'],
    links: ['#links-none'],
  }
  for (const [page, selectors] of Object.entries(ready)) {
    await a.page.goto(`${child.url}/admin${page === 'overview' ? '' : `/${page}`}`)
    for (const selector of selectors) await a.page.waitForSelector(selector, { timeout: 20_000 })
    t.same(await seriousViolations(a.page), [], page)
  }
  // The keys page with a key shown once.
  await a.page.goto(`${child.url}/admin/keys`)
  await a.page.fill('#key-name', 'nagoya')
  await a.page.click('#create-key button[type="submit"]')
  await a.page.waitForSelector('#new-key-value')
  t.same(await seriousViolations(a.page), [], 'keys, with a new key shown')
})
