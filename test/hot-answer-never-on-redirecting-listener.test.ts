// The plain-HTTP listener that redirects (`redirectToHttps`) never repeats: a target that is hot on the
// HTTPS listener is still answered 308 to its HTTPS URL there, every time, and never with the blob.
import t from 'tap'
import { connectTcp, sendRaw } from './helpers/raw-http.ts'
import { fetchText } from './helpers/sites.ts'
import { hotAnswersOf, KEYLESS_READS, publishBlob, startRoot } from './helpers/hub.ts'

t.test('a target hot on HTTPS is redirected on the plain-HTTP listener', async (t) => {
  const root = await startRoot(t, { extra: KEYLESS_READS, http: '{ host: 127.0.0.1, port: 0, redirectToHttps: true }' })
  const bytes = Buffer.from('only over TLS '.repeat(30))
  const path = await publishBlob(root, 'acme/app', '1.0', bytes)
  for (let i = 0; i < 2; i++) t.equal((await fetchText(root, path)).body, bytes.toString(), 'served on HTTPS')
  t.equal((await hotAnswersOf(root))?.answers, 1, 'hot on the HTTPS listener')

  for (let i = 0; i < 3; i++) {
    const socket = await connectTcp(t, root.gw.httpPort!)
    const res = await sendRaw(socket, `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`)
    socket.destroy()
    t.not(res, 'closed')
    if (res === 'closed') continue
    t.equal(res.status, 308, `plain HTTP ${i + 1}: 308`)
    t.equal(res.headers.location, `https://127.0.0.1:${root.gw.httpsPort}${path}`)
    t.notOk(res.body.includes('only over TLS'), 'not the blob')
  }
})
