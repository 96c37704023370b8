import t from 'tap'
import { startChildWithOrigin } from './helpers/child-site.ts'
import { connectTls, readResponse } from './helpers/raw-http.ts'

t.test('a client that sends half a request head is cut off after limits.headersTimeout', async (t) => {
  const { origin, site } = await startChildWithOrigin(t, 'slow', { extra: 'limits: { headersTimeout: 1s }\n', clock: t.clock })
  const socket = await connectTls(t, site.gw.httpsPort, site.ca)
  socket.write('GET /slow HTTP/1.1\r\nHost: localhost\r\nX-Partial: ')
  const res = await readResponse(socket)
  if (res === 'closed') t.pass('socket closed')
  else {
    t.equal(res.status, 408)
    t.equal(JSON.parse(res.body).error.code, 'GW_ERR_REQUEST_TIMEOUT')
  }
  t.same(origin.seen, [], 'the root saw nothing')
  t.match(site.logs.text, /"refused":"GW_ERR_REQUEST_TIMEOUT"/, 'the refusal is logged')
})
