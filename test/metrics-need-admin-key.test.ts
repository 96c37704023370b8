// /metrics on the site's listener (the default) is answered only with an admin key: none → 401, another
// key → 403, and neither says anything about the site. Its answer never carries a secret: not the root
// key, not a tunnel token, not the key that asked.
import t from 'tap'
import { startChildWithOrigin } from './helpers/child-site.ts'
import { adminKeyOf, bearer } from './helpers/hub.ts'
import { scrape } from './helpers/metrics.ts'
import type { KeyRing } from '../plugins/hub/keys.ts'

t.test('/metrics takes an admin key and shows no secret', async (t) => {
  const token = 'tunnel-token-s3cr3t-value-0123456789'
  process.env.FEDGATE_TEST_METRICS_TOKENS = token
  const { site, key } = await startChildWithOrigin(t, 'metrics-key', {
    clock: t.clock,
    extra: `  health: { interval: 1h }\ntunnels:\n  - path: /ws\n    upstream: ws://127.0.0.1:9/ws\n    tokens: \${FEDGATE_TEST_METRICS_TOKENS}\n`,
    handler: (_req, res) => res.end('ok'),
  })
  const url = `${site.url}/metrics`
  const none = await scrape(url, { dispatcher: site.agent })
  t.equal(none.status, 401, 'no key: refused')
  t.notMatch(none.text, /fedgate_/, 'and nothing shown')
  const read = (await site.gw.service<KeyRing>('keys')!.create({ name: 'reader', scope: 'read' })).key
  const notAdmin = await scrape(url, { dispatcher: site.agent, headers: bearer(read) })
  t.equal(notAdmin.status, 403, 'a read key: refused')
  t.notMatch(notAdmin.text, /fedgate_/)

  const admin = await adminKeyOf(site)
  const ok = await scrape(url, { dispatcher: site.agent, headers: bearer(admin) })
  t.equal(ok.status, 200, 'an admin key: the metrics')
  t.ok(ok.samples.length > 50)
  t.equal(ok.value('fedgate_tunnels_open', { path: '/ws' }), 0, 'the tunnel is there')
  for (const secret of [key, token, admin, read]) t.notOk(ok.text.includes(secret), 'no secret in the output')
  t.notMatch(ok.text, /fgk_/, 'nor anything shaped like a key')
})
