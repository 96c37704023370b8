import t from 'tap'
import { Clasp } from '@clasp-to/core'
import { tempDir, startSite, writeSecret } from './helpers/sites.ts'
import { startEchoUpstream, tunnelYaml, connect } from './helpers/ws-peers.ts'
import { startClaspHub, installClaspWebSocket } from './helpers/clasp-hub.ts'
import { tunnelUrl } from './helpers/ws-peers.ts'

t.test('a missing or wrong token gets 401 on the upgrade and the upstream sees no connection', async (t) => {
  const upstream = await startEchoUpstream(t)
  const dir = tempDir(t)
  writeSecret(dir, 'federation-tokens.txt', 'good-token-dddd')
  const site = await startSite(t, tunnelYaml('berlin', upstream.url), { dir })
  const attempts: [string, Parameters<typeof connect>[1]][] = [
    ['no token at all', {}],
    ['wrong bearer token', { headers: { authorization: 'Bearer good-token-ddde' } }],
    ['not a bearer scheme', { headers: { authorization: 'Basic Z29vZC10b2tlbi1kZGRk' } }],
    ['wrong protocol entry', { protocols: ['bearer.nope-nope', 'fed.v1'] }],
    ['unrelated protocols only', { protocols: ['fed.v1'] }],
  ]
  for (const [what, o] of attempts) {
    const out = await connect(site, o)
    t.notOk(out.opened, `${what}: refused`)
    if (out.opened) continue
    t.equal(out.status, 401, `${what}: 401`)
    t.equal(out.headers['www-authenticate'], 'Bearer')
    t.match(JSON.parse(out.body), { error: { code: 'GW_ERR_UNAUTHORIZED' } })
  }
  t.equal(upstream.tcpConnections, 0, 'the upstream never saw a connection')
  const health = site.gw.health() as { tunnel: { tunnels: { refused: { token: number } }[] } }
  t.equal(health.tunnel.tunnels[0]!.refused.token, attempts.length, 'refusals counted by reason')
})

t.test('a CLASP peer with a wrong or missing HELLO token is closed with 1008 before the hub is contacted', async (t) => {
  const hub = await startClaspHub(t)
  const dir = tempDir(t)
  writeSecret(dir, 'federation-tokens.txt', 'good-token-eeee')
  const site = await startSite(t, tunnelYaml('rome', hub.url), { dir })
  installClaspWebSocket(site.ca)
  for (const token of ['bad-token-eeee', undefined]) {
    const client = new Clasp(tunnelUrl(site), { name: 'intruder', token, reconnect: false })
    const closedWith = new Promise<string>((resolve) => client.onDisconnect((reason) => resolve(String(reason))))
    await t.rejects(client.connect(5000), `token ${token ?? '(none)'}: no WELCOME`)
    t.equal(await closedWith, 'token refused')
    client.close()
  }
  t.equal(hub.tcpConnections, 0, 'the hub never saw a connection')
})
