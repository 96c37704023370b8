// /metrics (prom-client's text format, scraped through the site's TLS listener with an admin key)
// counts requests by route stage and status class, with their durations, forwarded requests, and the
// root's failures and circuit moves, as requests are made; prom-client's process and Node figures are
// there too.
import t from 'tap'
import { startChildWithOrigin } from './helpers/child-site.ts'
import { fetchText } from './helpers/sites.ts'
import { adminKeyOf, bearer } from './helpers/hub.ts'
import { scrape } from './helpers/metrics.ts'

t.test('/metrics counters move as requests are made', async (t) => {
  const { origin, site } = await startChildWithOrigin(t, 'metrics-move', { clock: t.clock, extra: '  health: { interval: 1h, failures: 1 }\n' })
  const admin = bearer(await adminKeyOf(site))
  const get = () => scrape(`${site.url}/metrics`, { dispatcher: site.agent, headers: admin })

  const before = await get()
  t.equal(before.status, 200)
  t.match(before.contentType, /^text\/plain; version=0\.0\.4/)
  for (const [name, type] of [
    ['fedgate_requests_total', 'counter'],
    ['fedgate_request_duration_seconds', 'histogram'],
    ['fedgate_forwarded_requests_total', 'counter'],
    ['fedgate_upstream_failures_total', 'counter'],
    ['fedgate_circuit_transitions_total', 'counter'],
    ['fedgate_circuit_state', 'gauge'],
    ['fedgate_root_up', 'gauge'],
    ['fedgate_hot_answers', 'gauge'],
    ['fedgate_store_blobs', 'gauge'],
    ['fedgate_store_bytes', 'gauge'],
    ['fedgate_process_cpu_user_seconds_total', 'counter'],
    ['fedgate_nodejs_eventloop_lag_seconds', 'gauge'],
  ]) t.equal(before.types.get(name!), type, `${name} is a ${type}`)
  for (const name of before.types.keys()) t.match(name, /^fedgate_[a-z0-9_]+$/, `${name}: fedgate_ prefix, snake case`)
  const fallback2xx = (s: typeof before) => s.value('fedgate_requests_total', { stage: 'fallback', status_class: '2xx' }) ?? -1
  const none4xx = (s: typeof before) => s.value('fedgate_requests_total', { stage: 'none', status_class: '4xx' }) ?? -1
  const fallbackCount = (s: typeof before) => s.value('fedgate_request_duration_seconds_count', { stage: 'fallback' }) ?? -1
  t.equal(before.value('fedgate_root_up'), 1)
  t.equal(before.value('fedgate_circuit_state', { state: 'closed' }), 1)

  for (let i = 0; i < 3; i++) t.equal((await fetchText(site, `/pkg/${i}`)).status, 200)
  t.equal((await fetchText(site, '/a%00b')).status, 400, 'refused by the guard')
  const after = await get()
  t.equal(fallback2xx(after) - fallback2xx(before), 3, 'three forwarded 2xx')
  t.equal((after.value('fedgate_forwarded_requests_total', { status_class: '2xx' }) ?? 0) - (before.value('fedgate_forwarded_requests_total', { status_class: '2xx' }) ?? 0), 3)
  t.equal(none4xx(after) - none4xx(before), 1, 'the refused one, before routing')
  t.equal(fallbackCount(after) - fallbackCount(before), 3, 'three durations observed')
  t.equal(after.value('fedgate_request_duration_seconds_bucket', { stage: 'fallback', le: '+Inf' }), fallbackCount(after), '+Inf bucket = count')
  t.equal(after.value('fedgate_error_answers_total', { code: 'GW_ERR_BAD_PATH' }), 1)
  const gateway2xx = after.value('fedgate_requests_total', { stage: 'gateway', status_class: '2xx' }) ?? 0
  t.ok(gateway2xx >= 1, 'the first scrape counts as a gateway-stage request')

  // The root goes away: a refused connection is a failure of kind "refused", and the circuit opens.
  await origin.close()
  t.equal((await fetchText(site, '/pkg/x')).status, 503)
  const down = await get()
  t.equal(down.value('fedgate_upstream_failures_total', { kind: 'refused' }), 1)
  t.equal(down.value('fedgate_circuit_transitions_total', { to: 'open' }), 1)
  t.equal(down.value('fedgate_circuit_state', { state: 'open' }), 1)
  t.equal(down.value('fedgate_root_up'), 0)
  t.equal(down.value('fedgate_requests_total', { stage: 'fallback', status_class: '5xx' }), 1)
})
