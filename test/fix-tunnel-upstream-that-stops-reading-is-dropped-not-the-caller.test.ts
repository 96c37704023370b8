import t from 'tap'
import net from 'node:net'
import { createHash } from 'node:crypto'
import { tempDir, startSite, writeSecret, type TestLike } from './helpers/sites.ts'
import { tunnelYaml, connect, closed } from './helpers/ws-peers.ts'

/** A WebSocket upstream that completes the handshake and then never reads again. */
async function stuckUpstream(t: TestLike): Promise<string> {
  const sockets = new Set<net.Socket>()
  const server = net.createServer((s) => {
    sockets.add(s)
    s.on('error', () => {})
    s.once('data', (head) => {
      const key = /sec-websocket-key: *(\S+)/i.exec(head.toString('latin1'))![1]
      const accept = createHash('sha1').update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64')
      s.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`)
      s.pause()
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  t.teardown(() => {
    for (const s of sockets) s.destroy()
    server.close()
  })
  return `ws://127.0.0.1:${(server.address() as net.AddressInfo).port}`
}

// The gateway stops reading a caller whose bytes the upstream does not take (backpressure), so the caller's
// pong waits unread: the side that does not answer is the upstream, and the caller is told to reconnect.
t.test('an upstream that stops reading is dropped at the ping, and the caller gets 1012, not a cut', async (t) => {
  t.setTimeout(3000)
  const dir = tempDir(t)
  writeSecret(dir, 'federation-tokens.txt', 'stuck-token-vvvv')
  const site = await startSite(t, tunnelYaml('riga', await stuckUpstream(t), 'pingInterval: 1s\nidleTimeout: 0'), { dir, clock: t.clock })
  const out = await connect(site, { headers: { authorization: 'Bearer stuck-token-vvvv' } })
  if (!out.opened) return t.fail('not opened')
  const ws = out.ws
  // Until bytes wait in the caller's own buffer: the kernel buffers on the way are full, the gateway has
  // stopped reading the caller.
  const chunk = Buffer.alloc(256 * 1024)
  while (ws.bufferedAmount === 0) {
    ws.send(chunk)
    await new Promise((r) => setImmediate(r))
  }
  const end = closed(ws)
  // The sweep pings both sides at the first interval and judges their answers at the next.
  for (let i = 0; i < 3 && ws.readyState === ws.OPEN; i++) {
    t.clock.advance(1000)
    await new Promise((r) => setTimeout(r, 50))
  }
  t.equal((await end).code, 1012, 'the caller is closed with 1012 (reconnect)')
})
