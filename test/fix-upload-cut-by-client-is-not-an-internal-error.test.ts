// A publish whose client leaves mid-body (Content-Length 1000, 500 bytes sent) was answered by the
// catalogue's internal error: an error-level "handler failed" line with Node's stack, one per attempt,
// for anyone to repeat. The client leaving is logged as what it is, a 499, and nothing is stored.
import t from 'tap'
import { request } from 'undici'
import { connectTls } from './helpers/raw-http.ts'
import { startRoot } from './helpers/hub.ts'

t.test('an upload the client cuts short is a plain 499, not an internal error', async (t) => {
  const root = await startRoot(t)
  for (let i = 0; i < 3; i++) {
    const socket = await connectTls(t, root.gw.httpsPort, root.ca)
    socket.write(`PUT /api/v1/repos/acme/app/images/t${i} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${root.publish}\r\nContent-Length: 1000\r\n\r\n${'a'.repeat(500)}`)
    // The head and half the body are in: then the client goes.
    await new Promise((r) => setTimeout(r, 100))
    socket.destroy()
  }
  const lines = await root.logs.waitFor((l) => typeof l.path === 'string' && l.path.startsWith('/api/v1/repos/acme/app/images/'), 3)
  t.same(lines.map((l) => [l.status, l.error]), Array(3).fill([499, undefined]), 'each a 499 with no error code')
  t.same(root.logs.lines().filter((l) => (l.level as number) >= 50), [], 'no error-level line')
  t.notMatch(root.logs.text, /\n\s+at |\\n\s+at /, 'no stack trace in the log')
  const res = await request(`${root.url}/api/v1/repos/acme/app`, { dispatcher: root.agent, headers: { authorization: `Bearer ${root.publish}` } })
  const body = await res.body.text()
  t.notMatch(body, /"t[012]"/, 'no tag was stored')
})
