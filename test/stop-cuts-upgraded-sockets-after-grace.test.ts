// An upgraded socket is outside Node's closeAllConnections: one that its upgrade route never closes is
// cut once shutdown.grace is over, so the stop stays bounded.
import t from 'tap'
import { join } from 'node:path'
import { writeFileSync, readFileSync } from 'node:fs'
import { parseConfig } from '../gateway/config/load.ts'
import { startGateway } from '../gateway/gateway.ts'
import type { GatewayPlugin } from '../gateway/plugin-api.ts'
import { builtinPlugins } from '../plugins/index.ts'
import { LogCapture, tempDir } from './helpers/sites.ts'
import { connectTls, closed } from './helpers/raw-http.ts'

t.test('an upgraded socket nobody closes is cut after shutdown.grace', async (t) => {
  let held!: () => void
  const upgraded = new Promise<void>((r) => (held = r))
  // An upgrade route that takes the socket and does nothing with it (a plugin with a bug, say).
  const holder: GatewayPlugin = { name: 'holder', setup: () => ({ upgrades: [{ name: 'hold', match: (_req, path) => path === '/hold', handle: () => held() }] }) }
  const plugins = [...builtinPlugins, holder]
  const dir = tempDir(t)
  const yaml = 'site: { name: holder, role: root }\nlisten:\n  https: { host: 127.0.0.1, port: 0 }\ntls: { dir: certs }\nshutdown: { grace: 300ms }\n'
  const file = join(dir, 'site.yaml')
  writeFileSync(file, yaml)
  const gw = await startGateway(parseConfig(yaml, file, plugins), { plugins, logDestination: new LogCapture(), noSignals: true })
  t.teardown(() => gw.close())

  const socket = await connectTls(t, gw.httpsPort, readFileSync(gw.caFile, 'utf8'))
  socket.write('GET /hold HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n')
  await upgraded

  // A stop held by the socket would never end: 30 s (a hundred graces) tells the two apart even on a
  // loaded machine, where the stop's own work can take seconds after the grace.
  const started = Date.now()
  let timer: NodeJS.Timeout | undefined
  const outcome = await Promise.race([gw.close().then(() => 'stopped'), new Promise((r) => (timer = setTimeout(() => r('still waiting'), 30_000)))])
  clearTimeout(timer)
  const took = Date.now() - started
  t.equal(outcome, 'stopped', `the stop ends (${took} ms, grace 300 ms)`)
  // A lower bound only: load can delay the stop, never hurry it.
  t.ok(took >= 250, `not before the grace (${took} ms)`)
  if (outcome !== 'stopped') return
  await closed(socket)
  t.pass('the client saw its connection closed')
})
