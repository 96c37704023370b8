// A tunnel's upstream that refused the connection was reported as "The root refused the connection"
// (GW_ERR_ROOT_UNAVAILABLE), in the caller's answer and the log: a tunnel's upstream is any WebSocket
// server, not necessarily the root, and an operator went looking at the wrong site. Its failures have
// codes of their own now, naming the tunnel upstream, in the answer and in the log line.
import t from 'tap'
import { tempDir, startSite, writeSecret } from './helpers/sites.ts'
import { startEchoUpstream, tunnelYaml, connect } from './helpers/ws-peers.ts'

t.test('a refused tunnel upstream is named as the tunnel upstream, in the answer and the log', async (t) => {
  const upstream = await startEchoUpstream(t)
  await upstream.close() // its port now refuses connections
  const dir = tempDir(t)
  const token = 'refused-upstream-token-ssss'
  writeSecret(dir, 'federation-tokens.txt', token)
  const site = await startSite(t, tunnelYaml('oslo', upstream.url), { dir })

  const out = await connect(site, { headers: { authorization: `Bearer ${token}` } })
  t.notOk(out.opened, 'the caller is not upgraded')
  if (out.opened) return
  t.equal(out.status, 503)
  t.equal(out.headers['retry-after'], '1')
  const { error } = JSON.parse(out.body) as { error: { code: string; message: string } }
  t.equal(error.code, 'GW_ERR_TUNNEL_UPSTREAM_REFUSED')
  t.match(error.message, /^The tunnel upstream refused the connection/)
  t.notMatch(error.message, /root/i, 'the root is not blamed')

  const [line] = await site.logs.waitFor((l) => l.msg === 'tunnel upstream unavailable')
  t.match(line, { tunnel: '/federation', upstream: upstream.url, code: 'GW_ERR_TUNNEL_UPSTREAM_REFUSED', cause: /ECONNREFUSED/ }, 'the log line carries the code and what the connection hit')
  t.notOk(site.logs.text.includes(token) || out.body.includes(token), 'the caller\'s token in no log line or answer')
})
