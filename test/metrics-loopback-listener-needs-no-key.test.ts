// With `metrics.listen`, /metrics is served on a loopback listener of its own with no key (as
// exporters are), and that listener serves nothing else; the site's own listener then has no /metrics
// route (a child forwards the path like any other).
import t from 'tap'
import { request } from 'undici'
import { startChildWithOrigin } from './helpers/child-site.ts'
import { fetchText } from './helpers/sites.ts'
import { scrape } from './helpers/metrics.ts'

t.test('metrics.listen: /metrics on loopback with no key', async (t) => {
  const { site, origin } = await startChildWithOrigin(t, 'metrics-own', { clock: t.clock, extra: '  health: { interval: 1h }\nmetrics:\n  listen: { host: 127.0.0.1, port: 0 }\n' })
  const port = site.gw.metricsPort!
  t.ok(port > 0, 'a listener of its own')
  await fetchText(site, '/some/package')
  const got = await scrape(`http://127.0.0.1:${port}/metrics`)
  t.equal(got.status, 200, 'no key needed')
  t.equal(got.value('fedgate_requests_total', { stage: 'fallback', status_class: '2xx' }), 1, 'the site\'s requests, counted')
  t.equal(got.value('fedgate_requests_total', { stage: 'gateway', status_class: '2xx' }), 0, 'the scrape itself is not a site request')

  const other = await request(`http://127.0.0.1:${port}/health`)
  await other.body.dump()
  t.equal(other.statusCode, 404, 'nothing else is served there')

  const onSite = await fetchText(site, '/metrics')
  t.equal(onSite.status, 200)
  t.equal(onSite.body, 'ok', 'on the site\'s listener /metrics is an ordinary path, forwarded')
  t.equal(origin.seen.at(-1)?.url, '/metrics')
})
