// A repository added on the federation page is seen going queued → syncing (with its progress) → in
// sync, without the page reloading. The root sits behind a throttled proxy so the transfer takes a while.
import t from 'tap'
import { tempDir } from './helpers/sites.ts'
import { startRoot, startChild, publish, issueKey, blobBytes, startTcpProxy } from './helpers/sync.ts'
import { launchBrowser, openAdmin, signIn } from './helpers/browser.ts'

const SIZE = 600_000
const RATE = 100_000

t.test('the federation page follows a new repository from queued to in sync without a reload', async (t) => {
  const dir = tempDir(t)
  const root = await startRoot(t, dir)
  await publish(root, 'acme/app:1.0', blobBytes(SIZE, 7))
  const proxy = await startTcpProxy(t, { host: '127.0.0.1', port: root.gw.httpsPort })
  // Probes wait out the stall below instead of opening the circuit.
  const child = await startChild(t, dir, 'branch', proxy.url, root.readKey, '  health: { timeout: 60s }\n')
  const admin = await issueKey(child, 'admin')

  const browser = await launchBrowser(t)
  const a = await openAdmin(browser, child)
  await signIn(a, admin)
  let navigations = 0
  a.page.on('framenavigated', () => navigations++)
  await a.page.click('a[href="/admin/federation"]')
  await a.page.waitForSelector('body[data-page="federation"]')
  navigations = 0
  await a.page.evaluate(() => ((window as unknown as { loadedOnce: boolean }).loadedOnce = true))

  // Held: the sync cannot start moving bytes, so the new entry waits, queued.
  proxy.stall()
  await a.page.fill('#repo-name', 'acme/app')
  await a.page.click('#add-repo button[type="submit"]')
  const row = 'tr[data-key="acme/app"]'
  await a.page.waitForFunction((row) => document.querySelector(`${row} .badge`)?.textContent === 'queued', row, { timeout: 20_000 })
  t.pass('queued')

  proxy.rate = RATE
  proxy.release()
  const progress = await a.page.waitForFunction(
    (row) => {
      const bar = document.querySelector<HTMLProgressElement>(`${row} progress`)
      const state = document.querySelector(`${row} .badge`)?.textContent
      return state === 'syncing' && bar && bar.value > 0 && bar.value < bar.max && { value: bar.value, max: bar.max, text: document.querySelector(`${row} .progress-text`)?.textContent }
    },
    row,
    { timeout: 60_000 },
  )
  const p = (await progress.jsonValue()) as { value: number; max: number; text: string }
  t.ok(p.max >= SIZE, `syncing, with its total (${p.max} bytes)`)
  t.match(p.text, / of /, `and its progress in words: ${p.text}`)
  // The README's picture: a repository mid-sync (FEDGATE_SCREENSHOT_DIR=docs/img).
  if (process.env.FEDGATE_SCREENSHOT_DIR) await a.page.screenshot({ path: `${process.env.FEDGATE_SCREENSHOT_DIR}/admin-federation.png`, fullPage: true })

  await a.page.waitForFunction((row) => document.querySelector(`${row} .badge`)?.textContent === 'in sync', row, { timeout: 60_000 })
  const cells = await a.page.$$eval(`${row} td`, (tds) => tds.map((td) => td.textContent))
  t.not(cells[1], '–', 'a revision is shown')
  t.equal(cells[4], '0 B', 'nothing left to fetch')
  t.equal(navigations, 0, 'the page never navigated')
  t.ok(await a.page.evaluate(() => (window as unknown as { loadedOnce?: boolean }).loadedOnce), 'nor reloaded')

})
