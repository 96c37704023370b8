import t from 'tap'
import https from 'node:https'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { WebSocketServer } from 'ws'
import { tempDir, startSite, writeSecret } from './helpers/sites.ts'
import { tunnelYaml, connect, roundTrip } from './helpers/ws-peers.ts'

t.test('a wss:// upstream is reached only when its certificate checks out against the configured CA', async (t) => {
  const dir = tempDir(t)
  writeSecret(dir, 'federation-tokens.txt', 'wss-token-vvvv')
  // The first site generates the test CA and a certificate for 127.0.0.1, which the upstream then uses.
  await startSite(t, 'site: { name: upstream, role: root }\nlisten:\n  https: { host: 127.0.0.1, port: 0 }\ntls: { dir: certs }\n', { dir, name: 'upstream' })
  const server = https.createServer({ cert: readFileSync(join(dir, 'certs/upstream.crt')), key: readFileSync(join(dir, 'certs/upstream.key')) })
  const wss = new WebSocketServer({ server })
  wss.on('connection', (ws) => ws.on('message', (d, isBinary) => ws.send(d, { binary: isBinary })))
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  t.teardown(() => new Promise<void>((r) => (server.closeAllConnections(), wss.close(), server.close(() => r()))))
  const url = `wss://127.0.0.1:${(server.address() as AddressInfo).port}`

  const trusting = await startSite(t, tunnelYaml('trusting', url, 'ca: certs/ca.crt'), { dir, name: 'trusting' })
  const ok = await connect(trusting, { headers: { authorization: 'Bearer wss-token-vvvv' } })
  t.ok(ok.opened, 'with the CA configured the tunnel opens')
  if (ok.opened) {
    t.equal((await roundTrip(ok.ws, 'over tls')).toString(), 'over tls')
    ok.ws.close()
  }

  const strict = await startSite(t, tunnelYaml('strict', url), { dir, name: 'strict' })
  const refused = await connect(strict, { headers: { authorization: 'Bearer wss-token-vvvv' } })
  t.notOk(refused.opened, 'without it the upstream\'s certificate is not trusted')
  if (!refused.opened) t.equal(refused.status, 502)
})
