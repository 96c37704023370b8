import t from 'tap'
import { startChildWithOrigin } from './helpers/child-site.ts'
import { connectTls, sendRaw } from './helpers/raw-http.ts'

const SMUGGLED = 'GET /smuggled HTTP/1.1\r\nHost: localhost\r\n\r\n'
const FRAMINGS: [string, string][] = [
  ['Content-Length + Transfer-Encoding', `POST /a HTTP/1.1\r\nHost: localhost\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${SMUGGLED}`],
  ['Transfer-Encoding + Content-Length', `GET /a HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\nContent-Length: 40\r\n\r\n0\r\n\r\n${SMUGGLED}`],
  ['two Content-Lengths', `POST /a HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\nContent-Length: 44\r\n\r\n${SMUGGLED}`],
  ['obfuscated Transfer-Encoding', `POST /a HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n${SMUGGLED}`],
  ['Transfer-Encoding with a space before the colon', `POST /a HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding : chunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\n${SMUGGLED}`],
  ['chunked then identity', `POST /a HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n${SMUGGLED}`],
]

t.test('ambiguous request framings are refused (400 or a closed socket) and never reach the root', async (t) => {
  const { origin, site } = await startChildWithOrigin(t, 'smuggling', { extra: 'forward: { allowWrites: true }\n', clock: t.clock })
  for (const [name, raw] of FRAMINGS) {
    const socket = await connectTls(t, site.gw.httpsPort, site.ca)
    const res = await sendRaw(socket, raw)
    if (res === 'closed') t.pass(`${name}: connection closed`)
    else t.equal(res.status, 400, `${name}: 400`)
    socket.destroy()
  }
  t.same(origin.seen, [], 'the root saw nothing, neither the outer nor the smuggled request')
  const logged = await site.logs.waitFor((l) => l.refused === 'GW_ERR_BAD_REQUEST' || (l.msg === 'request' && l.status === 400), FRAMINGS.length)
  // One line at least per framing (an obfuscated Transfer-Encoding is refused by the guard, then its body by the parser).
  t.ok(logged.length >= FRAMINGS.length, 'each refusal is logged')
})
