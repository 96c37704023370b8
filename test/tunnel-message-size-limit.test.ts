import t from 'tap'
import { tempDir, startSite, writeSecret } from './helpers/sites.ts'
import { startEchoUpstream, tunnelYaml, connect, roundTrip, closed } from './helpers/ws-peers.ts'

t.test('a message over maxMessageBytes closes the tunnel with 1009 and is not passed on', async (t) => {
  const upstream = await startEchoUpstream(t)
  let upstreamMessages = 0
  upstream.wss.on('connection', (ws) => ws.on('message', () => upstreamMessages++))
  const dir = tempDir(t)
  writeSecret(dir, 'federation-tokens.txt', 'size-token-jjjj')
  const site = await startSite(t, tunnelYaml('oslo', upstream.url, 'maxMessageBytes: 1KiB'), { dir })
  const out = await connect(site, { headers: { authorization: 'Bearer size-token-jjjj' } })
  if (!out.opened) return t.fail('not opened')
  t.equal((await roundTrip(out.ws, Buffer.alloc(1024, 1))).length, 1024, 'a message of exactly the limit passes')
  const upstreamClosed = new Promise<number>((resolve) => [...upstream.sockets][0]!.once('close', (code) => resolve(code)))
  out.ws.send(Buffer.alloc(1025, 2))
  t.equal((await closed(out.ws)).code, 1009, 'the caller is closed with 1009 (message too big)')
  await upstreamClosed
  t.equal(upstreamMessages, 1, 'the oversized message never reached the upstream')
})

t.test('an oversized message from the upstream closes the caller with 1009 too', async (t) => {
  const upstream = await startEchoUpstream(t)
  const dir = tempDir(t)
  writeSecret(dir, 'federation-tokens.txt', 'size-token-kkkk')
  const site = await startSite(t, tunnelYaml('bergen', upstream.url, 'maxMessageBytes: 1KiB'), { dir })
  const out = await connect(site, { headers: { authorization: 'Bearer size-token-kkkk' } })
  if (!out.opened) return t.fail('not opened')
  let got = 0
  out.ws.on('message', () => got++)
  ;[...upstream.sockets][0]!.send(Buffer.alloc(4096))
  t.equal((await closed(out.ws)).code, 1009)
  t.equal(got, 0, 'nothing oversized reached the caller')
})
