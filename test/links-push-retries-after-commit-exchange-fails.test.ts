// A push link starts an exchange at each commit it uploads. When that exchange failed (its peer down),
// nothing retried it before the link's interval (an hour here): the status said failing with no next try,
// later commits skipped their exchange because the link was failing, and a publish made while the peer
// was down reached it an interval later. A failed exchange now retries with the link's backoff, however
// it was started: the publish arrives soon after the peer is back.
import t from 'tap'
import { fetchText, startSite, tempDir, type TestSite } from './helpers/sites.ts'
import { publish } from './helpers/hub.ts'
import { linkedYaml, linkStatus, startLinked } from './helpers/links.ts'
import { waitFor } from './helpers/sync.ts'
import type { LinkRing } from '../plugins/hub/links.ts'

t.test("a push link's commit made while its peer is down reaches the peer once it is back", async (t) => {
  const dir = tempDir(t)
  // tokyo is stopped and started again on its port by this test: its teardowns are run here.
  const runTokyo = async (port: number) => {
    const stops: (() => unknown)[] = []
    const site = await startSite({ teardown: (fn: () => unknown) => void stops.unshift(fn) }, linkedYaml('tokyo', { dir, owns: ['tokyo/*'] }).replace('port: 0', `port: ${port}`), { dir, name: 'tokyo' })
    const stop = async () => {
      for (const fn of stops.splice(0)) await fn()
    }
    t.teardown(stop)
    return { site, stop }
  }
  let tokyo = await runTokyo(0)
  const port = tokyo.site.gw.httpsPort
  const token = (await tokyo.site.gw.service<LinkRing>('links')!.create({ name: 'london', repositories: ['london/*'], mode: 'push' })).token
  const london = await startLinked(t, 'london', { dir, owns: ['london/*'], links: [{ name: 'london', url: tokyo.site.url, token, mode: 'push', repositories: ['london/*'], interval: '1h', extra: '    retry: 200ms\n' }] })
  const at = (site: TestSite, tag: string) => fetchText(site, `/api/v1/repos/london/app/images/${tag}/content`)

  t.equal((await publish(london, london.publish, 'london/app', '1.0?latest=false', 'v1')).status, 201)
  await waitFor('1.0 pushed', async () => (await at(tokyo.site, '1.0')).body === 'v1')
  await tokyo.stop()
  t.equal((await publish(london, london.publish, 'london/app', '2.0?latest=false', 'v2')).status, 201, 'published while the peer is down')
  const failing = await waitFor('the link fails', async () => (await linkStatus(london, 'outgoing', 'london')).failing)
  t.ok(failing, 'the link says it fails')
  t.ok((failing as { nextTry?: string }).nextTry, 'and when it tries next')
  tokyo = await runTokyo(port)
  await waitFor('2.0 reaches tokyo', async () => (await at(tokyo.site, '2.0')).body === 'v2', 20_000)
  t.pass('the commit made while the peer was down arrived, long before the hour-long interval')
})
