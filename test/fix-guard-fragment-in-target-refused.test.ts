// A request target never holds a fragment (RFC 9112 §3.2: origin-form is a path and a query; `#` is
// not in either). Node's parser lets `#` through, and the gateway matched its routes on the whole
// path while a root behind may cut the path at `#` (a URL parser takes the rest as a fragment): two
// readings of one request. Refused at the edge, in the path or in the query, before the root sees it.
import t from 'tap'
import { startChildWithOrigin } from './helpers/child-site.ts'
import { connectTls, expectTargetsRefused, sendRaw } from './helpers/raw-http.ts'

const REFUSED = ['/a#b', '/-/fedgate/admin#x', '/a/b?q=1#frag', '/a?#', '/a%20b#c']

t.test('a request target holding # is refused before it reaches the root', async (t) => {
  const { origin, site } = await startChildWithOrigin(t, 'fragment', { clock: t.clock })
  const socket = await connectTls(t, site.gw.httpsPort, site.ca)
  await expectTargetsRefused(t, socket, REFUSED, 'GW_ERR_BAD_PATH', /#/)
  t.same(origin.seen, [], 'the root saw none of them')
  const res = await sendRaw(socket, `GET /a%23b?q=%23 HTTP/1.1\r\nHost: localhost\r\n\r\n`)
  t.equal(res !== 'closed' && res.status, 200, 'an encoded # passes')
  t.equal(origin.seen[0]?.url, '/a%23b?q=%23', 'forwarded as the client encoded it')
})
