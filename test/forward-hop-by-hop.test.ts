import t from 'tap'
import { startOrigin, startSite, childYaml, writeSecret, tempDir } from './helpers/sites.ts'
import { connectTls, sendRaw } from './helpers/raw-http.ts'

t.test('hop-by-hop headers are not passed either way; X-Forwarded-* state what the gateway saw', async (t) => {
  const origin = await startOrigin(t, (req, res) => {
    res.writeHead(200, {
      connection: 'x-resp-hop',
      'x-resp-hop': 'must-not-pass',
      'keep-alive': 'timeout=999, max=999',
      'proxy-authenticate': 'Basic realm="root"',
      'x-end-to-end': 'passes',
      'content-length': 2,
    })
    res.end('ok')
  })
  const dir = tempDir(t)
  writeSecret(dir, 'root.key', 'fgk_hop_' + 'h'.repeat(30))
  const site = await startSite(t, childYaml('hop', origin.url, '  health: { interval: 1h }\n'), { dir })
  const socket = await connectTls(t, site.gw.httpsPort, site.ca)
  const res = await sendRaw(
    socket,
    [
      'GET /hop?x=1 HTTP/1.1',
      'Host: mirror.example:8443',
      'Connection: keep-alive, X-Req-Hop',
      'X-Req-Hop: must-not-pass',
      'Keep-Alive: timeout=5',
      'TE: trailers',
      'Upgrade: h2c',
      'Proxy-Authorization: Basic cHJveHk6c2VjcmV0',
      'X-Forwarded-For: 6.6.6.6',
      'X-Forwarded-Proto: gopher',
      'X-Forwarded-Host: evil.example',
      'Forwarded: for=6.6.6.6',
      'X-End-To-End: passes',
      '',
      '',
    ].join('\r\n'),
  )
  t.not(res, 'closed')
  if (res === 'closed') return
  t.equal(res.status, 200)
  const seen = origin.seen.find((s) => s.url === '/hop?x=1')!
  t.ok(seen, 'the origin got the request')
  for (const h of ['x-req-hop', 'keep-alive', 'te', 'upgrade', 'proxy-authorization', 'forwarded']) t.equal(seen.headers[h], undefined, `${h} is not forwarded`)
  t.not(seen.headers.connection, 'keep-alive, X-Req-Hop', "the client's Connection header is not forwarded")
  t.equal(seen.headers['x-end-to-end'], 'passes', 'end-to-end headers pass')
  t.equal(seen.headers['x-forwarded-for'], '127.0.0.1', 'X-Forwarded-For is the address the gateway saw, not the spoofed one')
  t.equal(seen.headers['x-forwarded-proto'], 'https')
  t.equal(seen.headers['x-forwarded-host'], 'mirror.example:8443', 'X-Forwarded-Host is the Host the client asked for')
  t.equal(res.headers['x-resp-hop'], undefined, 'a header the root named in Connection does not reach the client')
  t.notMatch(res.headers['keep-alive'] ?? '', /999/, "the root's Keep-Alive does not reach the client")
  t.equal(res.headers['proxy-authenticate'], undefined)
  t.equal(res.headers['x-end-to-end'], 'passes')
})
