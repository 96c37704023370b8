import t from 'tap'
import { tempDir, startSite, writeSecret } from './helpers/sites.ts'
import { startEchoUpstream, tunnelYaml, connect, roundTrip } from './helpers/ws-peers.ts'

t.test('a token in a Sec-WebSocket-Protocol entry passes; the answer is the real protocol, never the token', async (t) => {
  const upstream = await startEchoUpstream(t)
  const dir = tempDir(t)
  writeSecret(dir, 'federation-tokens.txt', 'browser-token-bbbb')
  writeSecret(dir, 'federation-secret.txt', 'site-upstream-secret-yyyy')
  const site = await startSite(t, tunnelYaml('paris', upstream.url, 'upstreamToken: file:./federation-secret.txt'), { dir })

  // What a browser does: new WebSocket(url, ['bearer.<token>', 'fed.v1']).
  const out = await connect(site, { protocols: ['bearer.browser-token-bbbb', 'fed.v1'] })
  t.ok(out.opened, 'upgrade accepted')
  if (!out.opened) return
  t.equal(out.protocol, 'fed.v1', 'answered with the protocol the upstream chose')
  t.notOk(JSON.stringify(out.headers).includes('browser-token-bbbb'), 'the token is not echoed in the handshake response')
  t.equal((await roundTrip(out.ws, 'ping over fed.v1')).toString(), 'ping over fed.v1', 'messages flow both ways')
  t.equal(upstream.upgrades[0]!.headers['sec-websocket-protocol'], 'fed.v1', 'the token entry is not passed upstream')
  t.equal(upstream.upgrades[0]!.headers.authorization, 'Bearer site-upstream-secret-yyyy')
  out.ws.close()
})

t.test('when the token entry is all a caller offered, it is the answer (browsers fail a handshake with none)', async (t) => {
  const upstream = await startEchoUpstream(t)
  const dir = tempDir(t)
  writeSecret(dir, 'federation-tokens.txt', 'browser-token-cccc')
  const site = await startSite(t, tunnelYaml('lyon', upstream.url), { dir })
  const out = await connect(site, { protocols: ['bearer.browser-token-cccc'] })
  t.ok(out.opened, 'upgrade accepted (ws, like a browser, requires an answer among the offered protocols)')
  if (!out.opened) return
  t.equal(out.protocol, 'bearer.browser-token-cccc')
  t.equal((await roundTrip(out.ws, 'x')).toString(), 'x')
  t.equal(upstream.upgrades[0]!.headers['sec-websocket-protocol'], 'bearer.browser-token-cccc', 'without upstreamToken the caller\'s own entry goes on')
  out.ws.close()
})
