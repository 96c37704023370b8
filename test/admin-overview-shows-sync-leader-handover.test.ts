// Two nodes of one child site (real `fedgate start` processes) on a real redis-server and one shared blob
// folder: one holds the sync lease. In a real browser, the leader's overview says it leads; the other's
// says it follows and names the holder (its process) and until when. Once the leader is killed, the
// other's overview says it leads, without a reload, within the lease time (a generous bound).
import t from 'tap'
import { join } from 'node:path'
import { tempDir } from './helpers/sites.ts'
import { startRedis } from './helpers/redis.ts'
import { keysBefore } from './helpers/process.ts'
import { startNode, writeNode, type NodeOptions } from './helpers/nodes.ts'
import { startRoot } from './helpers/sync.ts'
import { launchBrowser, openAdmin, signIn } from './helpers/browser.ts'

const LEASE = 3000

t.test("the overview shows which node leads the sync, and the other's after a handover", async (t) => {
  const dir = tempDir(t)
  const redis = await startRedis(t)
  const root = await startRoot(t, dir)
  const node = (name: string): NodeOptions => ({
    dir,
    name,
    rootUrl: root.url,
    key: root.readKey,
    redisUrl: redis.url,
    store: `dir: "${join(dir, 'shared-store')}"`,
    extra: `sync: { interval: 1h, lease: ${LEASE}ms, stream: { enabled: false } }\n`,
  })
  const [adminKey] = await keysBefore(writeNode(node('node-a')), [{ name: 'ops', scope: 'admin' }])
  const a = await startNode(t, node('node-a'))
  const b = await startNode(t, node('node-b'))

  const browser = await launchBrowser(t)
  const pa = await openAdmin(browser, a)
  await signIn(pa, adminKey!)
  const pb = await openAdmin(browser, b)
  await signIn(pb, adminKey!)
  const shows = (p: typeof pa, state: string, timeout: number) => p.page.waitForFunction((s) => document.getElementById('leader-state')?.textContent === s, state, { timeout })

  await shows(pa, 'leads', 20_000)
  t.pass("node a's page says it leads")
  t.match(await pa.page.textContent('#leader-holder'), /^this process \(/, 'and that it holds the lease')
  await shows(pb, 'follows', 20_000)
  t.pass("node b's page says it follows")
  await pb.page.waitForFunction((pid) => document.getElementById('leader-holder')?.textContent?.includes(`:${pid}:`), a.proc.pid, { timeout: 20_000 })
  t.pass("and names node a's process as the holder")
  t.notMatch(await pb.page.textContent('#leader-until'), /^(…|–)$/, 'until when')

  await a.kill()
  // The lease time, the page's one-second read, and slack for a loaded machine: a bound, not a timing.
  await shows(pb, 'leads', LEASE + 1000 + 15_000)
  t.pass("after node a is killed, node b's page says it leads, without a reload")
  t.match(await pb.page.textContent('#leader-holder'), /^this process \(/)
})
