import t from 'tap'
import { randomBytes } from 'node:crypto'
import { tempDir, startSite, writeSecret } from './helpers/sites.ts'
import { connectTls } from './helpers/raw-http.ts'
import { startEchoUpstream, tunnelYaml } from './helpers/ws-peers.ts'

/** A masked client frame header for a binary frame of `length` (< 126) bytes, and its payload masked. */
function maskedFrame(payload: Buffer, claimedLength = payload.length): Buffer {
  const key = randomBytes(4)
  const masked = Buffer.from(payload.map((b, i) => b ^ key[i & 3]!))
  return Buffer.concat([Buffer.from([0x82, 0x80 | claimedLength]), key, masked])
}

/** Gives the gateway a moment to read what was written: nothing it sends back can show it. */
const settle = () => new Promise((r) => setTimeout(r, 300))

t.test('a frame the caller half sends is no activity: at idleTimeout the caller gets 1001 and the upstream never sees it', async (t) => {
  const upstream = await startEchoUpstream(t)
  let upstreamMessages = 0
  upstream.wss.on('connection', (ws) => ws.on('message', () => upstreamMessages++))
  const dir = tempDir(t)
  writeSecret(dir, 'federation-tokens.txt', 'half-token-cccc')
  const site = await startSite(t, tunnelYaml('vilnius', upstream.url, 'idleTimeout: 2s'), { dir, clock: t.clock })
  const socket = await connectTls(t, site.gw.httpsPort, site.ca)
  let received = Buffer.alloc(0)
  const arrived = (test: (b: Buffer) => boolean) =>
    new Promise<void>((resolve) => {
      const check = () => (test(received) ? resolve() : socket.once('data', check))
      check()
    })
  socket.on('data', (c: Buffer) => (received = Buffer.concat([received, c])))
  socket.write(
    'GET /federation HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n' +
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nAuthorization: Bearer half-token-cccc\r\n\r\n`,
  )
  await arrived((b) => b.includes('\r\n\r\n'))
  t.match(received.toString('latin1'), /^HTTP\/1\.1 101 /, 'upgraded')
  received = received.subarray(received.indexOf('\r\n\r\n') + 4)
  const upstreamEnd = new Promise<number>((r) => {
    const check = () => (upstream.sockets.size > 0 ? [...upstream.sockets][0]!.once('close', (code) => r(code)) : setImmediate(check))
    check()
  })

  // 100 bytes announced; 10 sent now, 10 more 1.5 s later, the rest never. (The idle sweep runs once a second.)
  const frame = maskedFrame(Buffer.alloc(100, 0x61), 100)
  socket.write(frame.subarray(0, 16))
  await settle()
  t.clock.advance(1500)
  socket.write(frame.subarray(16, 26))
  await settle()
  t.clock.advance(1100)

  await arrived((b) => b.length >= 4)
  t.equal(received[0], 0x88, 'the caller gets a close frame')
  t.equal(received.readUInt16BE(2), 1001, 'with 1001 (idle) though bytes came 1.1 s ago')
  t.match(received.subarray(4, 2 + (received[1]! & 0x7f)).toString(), /idle/)
  await upstreamEnd
  t.equal(upstreamMessages, 0, 'the upstream never received the half-sent message')
})
