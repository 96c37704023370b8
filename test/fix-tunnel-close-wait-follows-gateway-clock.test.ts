// After sending a close frame the gateway waits about a second for the peer's before cutting the socket.
// That wait used a real timer while the rest of the tunnel takes time from the gateway's clock: under a
// fake clock the peer was cut after a real second, whatever the clock said. It now follows the clock.
import t from 'tap'
import { tempDir, startSite, writeSecret } from './helpers/sites.ts'
import { tunnelYaml } from './helpers/ws-peers.ts'
import { closed } from './helpers/raw-http.ts'
import { clientFrame, rawCaller, rawUpstream } from './helpers/raw-ws.ts'

t.test("the close handshake's wait for the peer's close frame is measured on the gateway's clock", async (t) => {
  t.setTimeout(10_000)
  const upstream = await rawUpstream(t)
  const dir = tempDir(t)
  writeSecret(dir, 'federation-tokens.txt', 'closewait-token-pppp')
  const site = await startSite(t, tunnelYaml('parnu', upstream.url, 'idleTimeout: 0'), { dir, clock: t.clock })
  const caller = await rawCaller(t, site.gw.httpsPort, site.ca, 'Authorization: Bearer closewait-token-pppp\r\n')
  const far = await upstream.next()
  let cut = false
  caller.socket.once('close', () => (cut = true))

  // The upstream closes; the gateway passes the close on to the caller, which never answers it.
  far.socket.write(clientFrame(8, Buffer.from([0x03, 0xe8]), { masked: false }))
  t.equal(await caller.closeCode(), 1000, 'the caller is sent the close frame')
  // A real timer would cut the caller within this real second and a half; the gateway's clock has not moved.
  await new Promise((r) => setTimeout(r, 1500))
  t.equal(cut, false, 'the caller is not cut while no time passes on the gateway clock')
  t.clock.advance(1000)
  await closed(caller.socket)
  t.pass('the caller is cut once the wait has passed on the gateway clock')
})
