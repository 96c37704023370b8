import t from 'tap'
import { tempDir, startSite, writeSecret } from './helpers/sites.ts'
import { startEchoUpstream, tunnelYaml, connect, roundTrip, closed } from './helpers/ws-peers.ts'

t.test('a caller with Authorization: Bearer is tunnelled; messages flow both ways; the upstream gets the site token', async (t) => {
  const upstream = await startEchoUpstream(t)
  const dir = tempDir(t)
  writeSecret(dir, 'federation-tokens.txt', 'caller-token-aaaa')
  writeSecret(dir, 'federation-secret.txt', 'site-upstream-secret-zzzz')
  const site = await startSite(t, tunnelYaml('tokyo', upstream.url, 'upstreamToken: file:./federation-secret.txt'), { dir })

  const out = await connect(site, { headers: { authorization: 'Bearer caller-token-aaaa' } })
  t.ok(out.opened, 'upgrade accepted')
  if (!out.opened) return
  t.equal((await roundTrip(out.ws, 'hello hub')).toString(), 'hello hub', 'text message there and back')
  const bin = Buffer.from([0x53, 0, 0, 3, 1, 2, 3])
  t.same(await roundTrip(out.ws, bin), bin, 'binary message there and back')

  t.equal(upstream.upgrades.length, 1)
  t.equal(upstream.upgrades[0]!.headers.authorization, 'Bearer site-upstream-secret-zzzz', 'the site token replaces the caller\'s')
  const health = site.gw.health() as { tunnel: { tunnels: { open: number; bytes: { toUpstream: number; toCaller: number } }[] } }
  t.equal(health.tunnel.tunnels[0]!.open, 1, '/health counts the open tunnel')
  t.equal(health.tunnel.tunnels[0]!.bytes.toUpstream, 9 + bin.length)
  t.equal(health.tunnel.tunnels[0]!.bytes.toCaller, 9 + bin.length)

  out.ws.close(1000, 'done')
  t.equal((await closed(out.ws)).code, 1000)
})
