import t from 'tap'
import { tempDir, startSite, writeSecret } from './helpers/sites.ts'
import { startEchoUpstream, tunnelYaml, connect, roundTrip, closed } from './helpers/ws-peers.ts'

t.test('when the upstream drops, the caller is closed cleanly with 1012 (reconnect)', async (t) => {
  const upstream = await startEchoUpstream(t)
  const dir = tempDir(t)
  writeSecret(dir, 'federation-tokens.txt', 'drop-token-llll')
  const site = await startSite(t, tunnelYaml('lisbon', upstream.url), { dir })
  const out = await connect(site, { headers: { authorization: 'Bearer drop-token-llll' } })
  if (!out.opened) return t.fail('not opened')
  t.equal((await roundTrip(out.ws, 'before')).toString(), 'before')
  const end = closed(out.ws)
  upstream.drop()
  const { code, reason } = await end
  t.equal(code, 1012, 'service restart: the client should reconnect')
  t.match(reason, /reconnect/)
  const health = site.gw.health() as { tunnel: { tunnels: { open: number; upstreamDrops: number }[] } }
  t.equal(health.tunnel.tunnels[0]!.open, 0)
  t.equal(health.tunnel.tunnels[0]!.upstreamDrops, 1)
})

t.test('when the upstream cannot be reached, the upgrade gets 503 at once', async (t) => {
  const upstream = await startEchoUpstream(t)
  await upstream.close()
  const dir = tempDir(t)
  writeSecret(dir, 'federation-tokens.txt', 'drop-token-mmmm')
  const site = await startSite(t, tunnelYaml('porto', upstream.url), { dir })
  const out = await connect(site, { headers: { authorization: 'Bearer drop-token-mmmm' } })
  t.notOk(out.opened)
  if (!out.opened) {
    t.equal(out.status, 503)
    t.match(JSON.parse(out.body), { error: { code: 'GW_ERR_TUNNEL_UPSTREAM_REFUSED' } })
  }
})
