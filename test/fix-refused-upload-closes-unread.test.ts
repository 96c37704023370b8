// A request refused with 401 (or 413) used to have the rest of its body read and thrown away, so a
// client could make the gateway take in any amount of data with a wrong key. The answer now says
// `connection: close` and the connection ends without the rest of the body being read.
import t from 'tap'
import { closed, connectTls, readResponse } from './helpers/raw-http.ts'
import { startRoot } from './helpers/hub.ts'

const TOTAL = 64 * 1024 * 1024
const CHUNK = Buffer.alloc(64 * 1024, 'x')

t.test('a large PUT with a bad key gets 401 and its connection closes before the body is read', async (t) => {
  const root = await startRoot(t)
  const socket = await connectTls(t, root.gw.httpsPort, root.ca)
  socket.on('error', () => {}) // the gateway may reset a socket the client is still writing to
  socket.write(`PUT /api/v1/repos/acme/app/images/1.0 HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer fgk_0000000000000000_${'w'.repeat(43)}\r\nContent-Type: application/octet-stream\r\nContent-Length: ${TOTAL}\r\n\r\n`)
  const answer = readResponse(socket)
  let written = 0
  // Bounded by TOTAL: a gateway reading everything lets the client write it all.
  while (written < TOTAL && !socket.destroyed) {
    written += CHUNK.length
    if (!socket.write(CHUNK)) await Promise.race([new Promise((r) => socket.once('drain', r)), closed(socket)])
  }
  const res = await answer
  t.not(res, 'closed', 'the answer arrived before the connection closed')
  if (res === 'closed') return
  t.equal(res.status, 401)
  t.equal(res.headers.connection, 'close', 'the answer says the connection closes')
  t.match(JSON.parse(res.body), { error: { code: 'GW_ERR_UNAUTHORIZED' } })
  await closed(socket)
  t.pass('the gateway closed the connection')
  t.ok(written < TOTAL, `the client could not send its whole body (${(written / 1048576).toFixed(1)} of ${TOTAL / 1048576} MiB)`)
})
