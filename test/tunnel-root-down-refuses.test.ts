import t from 'tap'
import { once } from 'node:events'
import { tempDir, startSite, writeSecret, startOrigin } from './helpers/sites.ts'
import { startEchoUpstream, connect } from './helpers/ws-peers.ts'

t.test('while the site\'s root is known to be down, new tunnels get 503 with Retry-After at once', async (t) => {
  const upstream = await startEchoUpstream(t)
  const root = await startOrigin(t)
  await root.close() // a port nothing listens on any more
  const dir = tempDir(t)
  writeSecret(dir, 'root.key', 'root-key-nnnn')
  writeSecret(dir, 'federation-tokens.txt', 'down-token-oooo')
  const yaml = `site: { name: dublin, role: child }
listen:
  https: { host: 127.0.0.1, port: 0 }
tls: { dir: certs }
root:
  url: ${root.url}
  key: file:./root.key
  allowPlainHttpKey: true # a loopback test origin
  health: { interval: 100ms, failures: 1 }
tunnels:
  - path: /federation
    upstream: ${upstream.url}
    tokens: file:./federation-tokens.txt
`
  const site = await startSite(t, yaml, { dir })
  const health = site.gw.rootHealth!
  if (health.state !== 'down') await once(health.breaker, 'change')
  t.equal(health.state, 'down', 'the root is known to be down')

  const out = await connect(site, { headers: { authorization: 'Bearer down-token-oooo' } })
  t.notOk(out.opened)
  if (out.opened) return
  t.equal(out.status, 503)
  t.ok(Number(out.headers['retry-after']) >= 1, 'Retry-After tells the caller when to come back')
  t.match(JSON.parse(out.body), { error: { code: 'GW_ERR_ROOT_DOWN' } })
  t.equal(upstream.tcpConnections, 0, 'nothing was opened upstream')
})
