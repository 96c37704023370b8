// Found by test/fuzz-request-guard.test.ts: a control character encoded twice (`%250d%250a`) passed the
// guard and was forwarded, so a server behind that decodes twice would see CR LF (header or log
// injection). Double-encoded control characters are refused like double-encoded dots and slashes;
// other double-encoded characters (`%2541`, an encoded `%41`) are still forwarded as they are.
import t from 'tap'
import { startChildWithOrigin } from './helpers/child-site.ts'
import { connectTls, expectTargetsRefused, sendRaw } from './helpers/raw-http.ts'

const REFUSED = ['/a%250d%250aX-Injected:%201', '/a%250A', '/a%2509b', '/a%251b%5b31m', '/a%257F', '/a%2500']

t.test('double-encoded control characters are refused before they reach the root', async (t) => {
  const { origin, site } = await startChildWithOrigin(t, 'double-control', { clock: t.clock })
  const socket = await connectTls(t, site.gw.httpsPort, site.ca)
  await expectTargetsRefused(t, socket, REFUSED, 'GW_ERR_BAD_PATH')
  t.same(origin.seen, [], 'the root saw none of them')
  const res = await sendRaw(socket, `GET /a%2541 HTTP/1.1\r\nHost: localhost\r\n\r\n`)
  t.equal(res !== 'closed' && res.status, 200, 'a double-encoded letter passes')
  t.equal(origin.seen[0]?.url, '/a%2541', 'forwarded as the client encoded it')
})
