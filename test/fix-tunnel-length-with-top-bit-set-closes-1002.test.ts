// RFC 6455 §5.2: a 64-bit payload length's most significant bit MUST be 0. A frame with it set broke the
// framing, but the gateway read it as a huge length and closed with 1009 (message too big), telling the
// peer to send smaller messages; it is a protocol error, 1002, from either side of the tunnel.
import t from 'tap'
import { tempDir, startSite, writeSecret } from './helpers/sites.ts'
import { tunnelYaml } from './helpers/ws-peers.ts'
import { rawCaller, rawUpstream } from './helpers/raw-ws.ts'

/** A binary frame header announcing 2^63 + 1 bytes (the top bit of the 64-bit length set), masked or not. */
const topBitHeader = (masked: boolean) =>
  Buffer.concat([Buffer.from([0x82, (masked ? 0x80 : 0) | 127, 0x80, 0, 0, 0, 0, 0, 0, 1]), masked ? Buffer.from([1, 2, 3, 4]) : Buffer.alloc(0)])

t.test('a frame whose 64-bit length has its top bit set closes both sides with 1002', async (t) => {
  t.setTimeout(5000)
  const upstream = await rawUpstream(t)
  const dir = tempDir(t)
  writeSecret(dir, 'federation-tokens.txt', 'topbit-token-kkkk')
  // The fake clock: no ping or idle timeout ends a tunnel, only the frame does.
  const site = await startSite(t, tunnelYaml('tartu', upstream.url, 'maxMessageBytes: 1MiB'), { dir, clock: t.clock })
  const open = async () => {
    const caller = await rawCaller(t, site.gw.httpsPort, site.ca, 'Authorization: Bearer topbit-token-kkkk\r\n')
    return { caller, far: await upstream.next() }
  }

  const fromCaller = await open()
  fromCaller.caller.socket.write(topBitHeader(true))
  t.equal(await fromCaller.caller.closeCode(), 1002, 'sent by the caller: the caller is closed with 1002 (protocol error)')
  t.equal(await fromCaller.far.closeCode(), 1002, 'and the upstream is told 1002')

  const fromUpstream = await open()
  fromUpstream.far.socket.write(topBitHeader(false))
  t.equal(await fromUpstream.far.closeCode(), 1002, 'sent by the upstream: the upstream is closed with 1002')
  t.equal(await fromUpstream.caller.closeCode(), 1002, 'and the caller is told 1002')
})
