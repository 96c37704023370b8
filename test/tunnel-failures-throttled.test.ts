import t from 'tap'
import { tempDir, startSite, writeSecret } from './helpers/sites.ts'
import { startEchoUpstream, tunnelYaml, connect } from './helpers/ws-peers.ts'

t.test('an address that keeps failing the token check gets 429 with Retry-After, even with a good token', async (t) => {
  const upstream = await startEchoUpstream(t)
  const dir = tempDir(t)
  writeSecret(dir, 'federation-tokens.txt', 'good-token-ssss')
  const site = await startSite(t, tunnelYaml('athens', upstream.url, 'failures: { limit: 3, window: 10m }'), { dir })
  const statuses: number[] = []
  for (let i = 0; i < 5; i++) {
    const out = await connect(site, { headers: { authorization: 'Bearer guess-' + i } })
    statuses.push(out.opened ? 101 : out.status)
  }
  t.same(statuses, [401, 401, 401, 429, 429], 'refused, then slowed down')
  const out = await connect(site, { headers: { authorization: 'Bearer good-token-ssss' } })
  t.notOk(out.opened, 'the address stays slowed down for the window')
  if (!out.opened) {
    t.equal(out.status, 429)
    t.ok(Number(out.headers['retry-after']) > 0)
  }
  t.equal(upstream.tcpConnections, 0)
})
