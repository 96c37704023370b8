// The overview shows the site's request rate, derived from /health's requests counter read a second
// apart, and the total, updated as requests arrive.
import t from 'tap'
import { fetchText, tempDir } from './helpers/sites.ts'
import { startRoot } from './helpers/hub.ts'
import { launchBrowser, openAdmin, signIn } from './helpers/browser.ts'

t.test('the overview shows request rate and total', async (t) => {
  const root = await startRoot(t, { dir: tempDir(t) })
  const browser = await launchBrowser(t)
  const a = await openAdmin(browser, root)
  await signIn(a, root.admin)
  await a.page.waitForFunction(() => /requests\/s$/.test(document.getElementById('rate')?.textContent ?? ''), undefined, { timeout: 20_000 })
  const total = Number(await a.page.textContent('#requests-total'))
  t.ok(total > 0, `a total (${total})`)
  // Every rate the page shows from now on.
  await a.page.evaluate(() => {
    const rates: number[] = ((window as unknown as { rates: number[] }).rates = [])
    const el = document.getElementById('rate')!
    new MutationObserver(() => rates.push(parseFloat(el.textContent!))).observe(el, { childList: true, characterData: true, subtree: true })
  })
  // 200 requests at once: the next reads count them, and their rate rises.
  await Promise.all(Array.from({ length: 200 }, () => fetchText(root, '/health')))
  await a.page.waitForFunction((before) => Number(document.getElementById('requests-total')?.textContent) >= before + 200, total, { timeout: 20_000 })
  t.pass('the total counts them')
  // One read more, so the window that holds the last of them has been shown.
  await a.page.waitForFunction(() => (window as unknown as { rates: number[] }).rates.length >= 2, undefined, { timeout: 20_000 })
  const rates = await a.page.evaluate(() => (window as unknown as { rates: number[] }).rates)
  // However the 200 fell across reads (a loaded machine spreads them), some window saw many per second.
  t.ok(Math.max(...rates) >= 20, `the rate rose (${rates.join(', ')} requests/s)`)
})
