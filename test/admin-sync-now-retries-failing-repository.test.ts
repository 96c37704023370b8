// A repository failing while the root is away shows its failure, error and next try; once the root is
// back, "Sync now" on the federation page synchronizes it at once instead of at the next try, 10 min off.
import t from 'tap'
import { tempDir } from './helpers/sites.ts'
import { startRoot, startChild, publish, issueKey, blobBytes, startTcpProxy, inSync } from './helpers/sync.ts'
import { launchBrowser, openAdmin, signIn } from './helpers/browser.ts'

t.test('"Sync now" shows a failure, then synchronizes at once once the root is back', async (t) => {
  const dir = tempDir(t)
  const root = await startRoot(t, dir)
  await publish(root, 'acme/app:1.0', blobBytes(10_000, 1))
  const proxy = await startTcpProxy(t, { host: '127.0.0.1', port: root.gw.httpsPort })
  // No stream and no rounds: only the button makes it sync.
  const extra = `  health: { interval: 1s }
repositories: [acme/app]
sync: { interval: 1h, retry: { initial: 10m, max: 10m }, stream: { enabled: false } }
`
  const child = await startChild(t, dir, 'branch', proxy.url, root.readKey, extra)
  await inSync(child, 'acme/app')
  const browser = await launchBrowser(t)
  const a = await openAdmin(browser, child)
  await signIn(a, await issueKey(child, 'admin'))
  await a.page.goto(`${child.url}/admin/federation`)
  const row = 'tr[data-key="acme/app"]'
  const badge = (state: string) => a.page.waitForFunction(([row, state]) => document.querySelector(`${row} .badge`)?.textContent === state, [row, state] as const, { timeout: 30_000 })
  await badge('in sync')
  const revision = await a.page.textContent(`${row} td:nth-of-type(2)`)

  await proxy.kill()
  await publish(root, 'acme/app:2.0', blobBytes(10_000, 2))
  await a.page.click(`${row} button`)
  await badge('failing')
  const cells = await a.page.$$eval(`${row} td`, (tds) => tds.map((td) => td.textContent))
  t.equal(cells[6], '1', 'one failure')
  t.not(cells[7], '–', 'the next try is shown')
  t.ok(cells[9], `and why: ${cells[9]}`)

  await proxy.revive()
  await a.page.goto(`${child.url}/admin`)
  await a.page.waitForFunction(() => document.getElementById('root-state')?.textContent === 'up', undefined, { timeout: 30_000 })
  await a.page.goto(`${child.url}/admin/federation`)
  await a.page.click(`${row} button`)
  await badge('in sync')
  t.not(await a.page.textContent(`${row} td:nth-of-type(2)`), revision, 'a newer revision, long before the next try')
  t.equal(await a.page.textContent(`${row} td:nth-of-type(7)`), '0', 'no failures left')
})
