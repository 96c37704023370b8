import t from 'tap'
import { tempDir, startSite, writeSecret } from './helpers/sites.ts'
import { tunnelYaml } from './helpers/ws-peers.ts'
import { startClaspHub } from './helpers/clasp-hub.ts'
import { rawCaller, clientFrame } from './helpers/raw-ws.ts'

// A CLASP frame is at most 12 + 65,535 bytes, so a first message announcing more cannot be a HELLO: an
// unauthenticated caller must not make the gateway hold up to maxMessageBytes (1 MiB here) while it waits.
t.test('a first message longer than any CLASP frame closes the caller with 1009, judged by its header', async (t) => {
  t.setTimeout(3000)
  const hub = await startClaspHub(t)
  const dir = tempDir(t)
  writeSecret(dir, 'federation-tokens.txt', 'good-token-uuuu')
  // The fake clock: helloTimeout never passes, so only the frame's header can end the socket.
  const site = await startSite(t, tunnelYaml('tallinn', hub.url, 'helloTimeout: 5s\nmaxMessageBytes: 1MiB'), { dir, clock: t.clock })

  const one = await rawCaller(t, site.gw.httpsPort, site.ca, 'Sec-WebSocket-Protocol: clasp\r\n')
  // Whole frames are sent: read whole, they would be refused too, but with 1002 (not a HELLO's size).
  one.socket.write(clientFrame(2, Buffer.alloc(200_000, 0x53)))
  t.equal(await one.closeCode(), 1009, 'one frame: closed with 1009 (message too big), judged by its header')

  const fragmented = await rawCaller(t, site.gw.httpsPort, site.ca, 'Sec-WebSocket-Protocol: clasp\r\n')
  // 40,000 bytes, then a continuation announcing 40,000 more: 80,000 in all, over a CLASP frame.
  fragmented.socket.write(clientFrame(2, Buffer.alloc(40_000, 0x53), { fin: false }))
  fragmented.socket.write(clientFrame(0, Buffer.alloc(40_000)))
  t.equal(await fragmented.closeCode(), 1009, 'fragments: closed with 1009 at the continuation that goes over')
  t.equal(hub.tcpConnections, 0, 'the hub was never contacted')
})
