import t from 'tap'
import { startChildWithOrigin } from './helpers/child-site.ts'
import { connectTls, expectTargetsRefused, sendRaw } from './helpers/raw-http.ts'

const TARGETS = [
  '/../etc/passwd',
  '/pkg/../../etc/passwd',
  '/%2e%2e/etc/passwd',
  '/%2E%2e%2Fetc/passwd',
  '/pkg/%2e%2e%2f%2e%2e%2fetc',
  '/a%2fb',
  '/a%2Fb',
  '/a\\..\\b',
  '/a%5c..%5cb',
  '/a%5Cb',
  '/%252e%252e/etc/passwd',
  '/a/%252fb',
  '/a/./b',
  '/a/%2e/b',
  '/a%00b',
  '/a%0d%0aX-Injected:%201',
  '/%zz',
]

t.test('path traversal and encoded separators are refused with 400 GW_ERR_BAD_PATH and never reach the root', async (t) => {
  const { origin, site } = await startChildWithOrigin(t, 'traversal', { clock: t.clock })
  const socket = await connectTls(t, site.gw.httpsPort, site.ca)
  await expectTargetsRefused(t, socket, TARGETS, 'GW_ERR_BAD_PATH')
  t.same(origin.seen, [], 'the root saw nothing')
  const refused = await site.logs.waitFor((l) => l.msg === 'request' && l.status === 400, TARGETS.length)
  t.equal(refused.length, TARGETS.length, 'each refusal is logged')
  t.ok(refused.every((l) => l.error === 'GW_ERR_BAD_PATH'), 'with its error code')
})

t.test('an ordinary path with encoded characters still passes', async (t) => {
  const { origin, site } = await startChildWithOrigin(t, 'traversal', { clock: t.clock })
  const socket = await connectTls(t, site.gw.httpsPort, site.ca)
  const res = await sendRaw(socket, `GET /pkg/caf%C3%A9..tar.gz?x=%2F..%2F HTTP/1.1\r\nHost: localhost\r\n\r\n`)
  t.equal(res !== 'closed' && res.status, 200)
  t.equal(origin.seen[0]?.url, '/pkg/caf%C3%A9..tar.gz?x=%2F..%2F', 'forwarded exactly as the client encoded it')
})
