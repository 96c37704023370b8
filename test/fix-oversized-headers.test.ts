import t from 'tap'
import { startChildWithOrigin } from './helpers/child-site.ts'
import { connectTls, sendRaw } from './helpers/raw-http.ts'

t.test('a request head over limits.maxHeaderBytes gets 431 and never reaches the root', async (t) => {
  const { origin, site } = await startChildWithOrigin(t, 'oversized', { extra: 'limits: { maxHeaderBytes: 8KiB }\n', clock: t.clock })
  const socket = await connectTls(t, site.gw.httpsPort, site.ca)
  const res = await sendRaw(socket, `GET /big HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'a'.repeat(12 * 1024)}\r\n\r\n`)
  t.not(res, 'closed', 'answered, not just closed')
  if (res !== 'closed') {
    t.equal(res.status, 431)
    t.equal(JSON.parse(res.body).error.code, 'GW_ERR_HEADERS_TOO_LARGE')
  }
  t.same(origin.seen, [], 'the root saw nothing')
  t.match(site.logs.text, /"refused":"GW_ERR_HEADERS_TOO_LARGE"/, 'the refusal is logged')
  t.notMatch(site.logs.text, /aaaaaaaaaa/, 'the oversized header is not logged')

  const ok = await connectTls(t, site.gw.httpsPort, site.ca)
  const small = await sendRaw(ok, `GET /small HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'a'.repeat(4 * 1024)}\r\n\r\n`)
  t.equal(small !== 'closed' && small.status, 200, 'a head under the limit passes')
})
