// A client that pipelines a burst (~2,000 requests in one TLS write) makes Node pause the connection's
// parser while the answers wait to be sent; the bytes still arriving fail it with HPE_PAUSED. That was
// logged as GW_ERR_BAD_REQUEST, as if the requests were malformed: an operator went looking for a
// broken client. It is GW_ERR_PIPELINE_TOO_DEEP now, and the connection is closed as before.
import t from 'tap'
import { startChildWithOrigin } from './helpers/child-site.ts'
import { connectTls } from './helpers/raw-http.ts'

const BURST = 2000

t.test('a pipelined burst that pauses Node\'s parser is logged as such, once, and its connection closed', async (t) => {
  const { site } = await startChildWithOrigin(t, 'burst')
  const socket = await connectTls(t, site.gw.httpsPort, site.ca)
  socket.on('error', () => {})
  socket.on('data', () => {}) // reads every answer: the burst alone pauses the parser
  const closed = new Promise((r) => socket.once('close', r))
  socket.write('GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n'.repeat(BURST))
  await closed
  t.pass('the connection was closed')

  const refused = (await site.logs.waitFor((l) => l.msg === 'request refused before routing')).filter((l) => l.reason === 'HPE_PAUSED')
  t.equal(refused.length, 1, 'one line for the connection')
  t.match(refused[0], { level: 'warn', refused: 'GW_ERR_PIPELINE_TOO_DEEP' }, 'a warning naming the burst, not a malformed request')
  t.notOk(site.logs.lines().some((l) => l.refused === 'GW_ERR_BAD_REQUEST'), 'no bad request logged')
})
