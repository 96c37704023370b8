import t from 'tap'
import { tempDir, startSite, writeSecret } from './helpers/sites.ts'
import { startEchoUpstream, tunnelYaml, connect } from './helpers/ws-peers.ts'

t.test('past maxConnections a new tunnel gets 503 and a freed slot is usable again', async (t) => {
  const upstream = await startEchoUpstream(t)
  const dir = tempDir(t)
  writeSecret(dir, 'federation-tokens.txt', 'cap-token-uuuu')
  const site = await startSite(t, tunnelYaml('warsaw', upstream.url, 'maxConnections: 2'), { dir })
  const auth = { headers: { authorization: 'Bearer cap-token-uuuu' } }
  const a = await connect(site, auth)
  const b = await connect(site, auth)
  t.ok(a.opened && b.opened, 'two tunnels open')
  const c = await connect(site, auth)
  t.notOk(c.opened)
  if (!c.opened) {
    t.equal(c.status, 503)
    t.match(JSON.parse(c.body), { error: { code: 'GW_ERR_TUNNEL_FULL' } })
  }
  if (a.opened) {
    a.ws.close()
    await new Promise((r) => a.ws.once('close', r))
  }
  // The gateway counts the tunnel closed when its own side sees the close; poll a bounded number of times.
  let d = await connect(site, auth)
  for (let i = 0; i < 20 && !d.opened; i++) d = await connect(site, auth)
  t.ok(d.opened, 'a freed slot is usable again')
  for (const o of [b, d]) if (o.opened) o.ws.close()
})
