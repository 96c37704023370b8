// `Expect: 100-continue` asks the gateway whether to send the body. Node said yes (100 Continue) as the
// request arrived, before the key was checked, so a publish with no key sent its whole body only to be
// refused. The answer now waits for the route: a refused publish gets its 401 alone (and the connection
// closes, the body unread); a publish with its key gets 100 Continue, sends its body and is stored.
import t from 'tap'
import { connectTls, readResponse } from './helpers/raw-http.ts'
import { startRoot } from './helpers/hub.ts'

const put = (tag: string, auth: string) => `PUT /api/v1/repos/acme/app/images/${tag} HTTP/1.1\r\nHost: localhost\r\n${auth}Content-Length: 5\r\nExpect: 100-continue\r\n\r\n`

t.test('100 Continue is sent only once the publish passed its key check', async (t) => {
  const root = await startRoot(t)

  const refused = await connectTls(t, root.gw.httpsPort, root.ca)
  refused.write(put('1.0', ''))
  const first = await readResponse(refused)
  t.not(first, 'closed')
  if (first === 'closed') return
  t.equal(first.status, 401, 'no key: the first answer is the refusal, no 100 Continue before it')
  t.equal(JSON.parse(first.body).error.code, 'GW_ERR_UNAUTHORIZED')
  t.equal(first.headers.connection, 'close', 'and the connection closes, the announced body unread')

  const allowed = await connectTls(t, root.gw.httpsPort, root.ca)
  allowed.write(put('1.0', `Authorization: Bearer ${root.publish}\r\n`))
  const interim = await readResponse(allowed)
  t.not(interim, 'closed')
  if (interim === 'closed') return
  t.equal(interim.status, 100, 'with its key: 100 Continue')
  allowed.write('hello')
  const final = await readResponse(allowed)
  t.not(final, 'closed')
  if (final === 'closed') return
  t.equal(final.status, 201, 'the body sent then is stored')
})
