// Requests Node answered by itself, outside the catalogue and the request log: an HTTP/1.1 request with
// no Host (a bare 400 with an empty body), an Expect other than 100-continue (a bare 417), CONNECT (the
// socket dropped without a byte). And TRACE got 405 saying "writes are disabled". Each now gets the
// catalogue's error naming what is wrong, and is logged; nothing reaches the root.
import t from 'tap'
import { startChildWithOrigin } from './helpers/child-site.ts'
import { connectTls, sendRaw } from './helpers/raw-http.ts'

t.test('no Host, an unknown Expect, TRACE and CONNECT get catalogue errors', async (t) => {
  const { origin, site } = await startChildWithOrigin(t, 'nodeanswered', { clock: t.clock, extra: 'forward: { allowWrites: true }\n' })
  const cases: [string, number, string, RegExp][] = [
    ['GET /nohost HTTP/1.1\r\n\r\n', 400, 'GW_ERR_BAD_REQUEST', /Host/],
    ['GET /expect HTTP/1.1\r\nHost: localhost\r\nExpect: 200-ok\r\n\r\n', 417, 'GW_ERR_EXPECTATION_FAILED', /200-ok/],
    ['TRACE /trace HTTP/1.1\r\nHost: localhost\r\n\r\n', 405, 'GW_ERR_METHOD_NOT_ALLOWED', /TRACE/],
    ['CONNECT localhost:443 HTTP/1.1\r\nHost: localhost:443\r\n\r\n', 405, 'GW_ERR_METHOD_NOT_ALLOWED', /CONNECT/],
  ]
  for (const [head, status, code, names] of cases) {
    const what = head.slice(0, head.indexOf(' HTTP'))
    const socket = await connectTls(t, site.gw.httpsPort, site.ca)
    const res = await sendRaw(socket, head)
    t.not(res, 'closed', `${what}: an answer, not a dropped socket`)
    if (res === 'closed') continue
    t.equal(res.status, status, `${what}: ${status}`)
    const body = JSON.parse(res.body) as { error: { code: string; message: string } }
    t.equal(body.error.code, code, `${what}: ${code}`)
    t.match(body.error.message, names, `${what}: the message names the problem`)
  }
  for (const path of ['/nohost', '/expect', '/trace']) {
    const [line] = await site.logs.waitFor((l) => l.msg === 'request' && l.path === path)
    t.ok(line, `${path} is logged`)
  }
  t.match(site.logs.text, /"refused":"GW_ERR_METHOD_NOT_ALLOWED","reason":"CONNECT"/, 'CONNECT is logged')
  t.same(origin.seen.filter((s) => s.url !== '/health'), [], 'nothing reached the root')
})
