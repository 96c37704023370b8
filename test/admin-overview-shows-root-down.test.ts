// The overview follows the root: stopped, it shows it down (with the reason and since when) once a probe
// has failed, without a reload; back, it shows it up again.
import t from 'tap'
import { tempDir } from './helpers/sites.ts'
import { startRoot, startChild, issueKey, startTcpProxy } from './helpers/sync.ts'
import { launchBrowser, openAdmin, signIn } from './helpers/browser.ts'

const INTERVAL = 3000

t.test('the overview shows the root down within a probe interval, and up again', async (t) => {
  const dir = tempDir(t)
  const root = await startRoot(t, dir)
  const proxy = await startTcpProxy(t, { host: '127.0.0.1', port: root.gw.httpsPort })
  const child = await startChild(t, dir, 'branch', proxy.url, root.readKey, `  health: { interval: ${INTERVAL}ms }\n`)
  const browser = await launchBrowser(t)
  const a = await openAdmin(browser, child)
  await signIn(a, await issueKey(child, 'admin'))
  const shows = (state: string, timeout: number) => a.page.waitForFunction((s) => document.getElementById('root-state')?.textContent === s, state, { timeout })

  await shows('up', 20_000)
  t.equal(await a.page.textContent('#circuit'), 'closed')

  await proxy.kill()
  // One probe interval, plus the page's one-second read, plus slack for a loaded machine: a bound, not a timing.
  await shows('down', INTERVAL + 1000 + 8000)
  t.pass('down, without a reload')
  t.equal(await a.page.textContent('#circuit'), 'open')
  t.match(await a.page.textContent('#root-since'), /ago/, 'since when')
  t.match(await a.page.textContent('#errors'), /Root: /, 'and why, among the last errors')

  await proxy.revive()
  await shows('up', 30_000)
  t.pass('up again')
})
