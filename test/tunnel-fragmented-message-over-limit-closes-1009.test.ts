import t from 'tap'
import { tempDir, startSite, writeSecret } from './helpers/sites.ts'
import { startEchoUpstream, tunnelYaml, connect, roundTrip, closed } from './helpers/ws-peers.ts'

t.test('a message sent in fragments, each under maxMessageBytes but together over it, closes the tunnel with 1009', async (t) => {
  const upstream = await startEchoUpstream(t)
  let upstreamMessages = 0
  upstream.wss.on('connection', (ws) => ws.on('message', () => upstreamMessages++))
  const dir = tempDir(t)
  writeSecret(dir, 'federation-tokens.txt', 'frag-token-aaaa')
  const site = await startSite(t, tunnelYaml('tartu', upstream.url, 'maxMessageBytes: 1KiB'), { dir })
  const out = await connect(site, { headers: { authorization: 'Bearer frag-token-aaaa' } })
  if (!out.opened) return t.fail('not opened')
  // Two fragments making exactly the limit pass, as one message.
  out.ws.send(Buffer.alloc(512, 1), { fin: false })
  t.equal((await roundTrip(out.ws, Buffer.alloc(512, 1))).length, 1024, 'a fragmented message of exactly the limit passes whole')
  const upstreamClosed = new Promise<number>((resolve) => [...upstream.sockets][0]!.once('close', (code) => resolve(code)))
  out.ws.send(Buffer.alloc(600, 2), { fin: false })
  out.ws.send(Buffer.alloc(600, 2), { fin: true })
  t.equal((await closed(out.ws)).code, 1009, 'the caller is closed with 1009 (message too big)')
  t.equal(await upstreamClosed, 1009, 'the upstream is closed with 1009 too')
  t.equal(upstreamMessages, 1, 'the oversized message never reached the upstream whole')
})
