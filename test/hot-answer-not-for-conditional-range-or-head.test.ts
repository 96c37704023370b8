// Requests whose answer depends on more than the target are never repeated, whatever the header's case:
// a Range gets its 206, an If-None-Match its 304, a HEAD no body, a GET with a body is refused by the
// guard as before, even after a plain GET of the same target was answered and offered.
import t from 'tap'
import { connectTls, sendRaw } from './helpers/raw-http.ts'
import { fetchText } from './helpers/sites.ts'
import { hotAnswersOf, KEYLESS_READS, publishBlob, startRoot } from './helpers/hub.ts'
import { sha256 } from './helpers/stores.ts'

t.test('conditional, range, HEAD and framed requests take the whole lifecycle', async (t) => {
  const root = await startRoot(t, { extra: KEYLESS_READS })
  const bytes = Buffer.from('0123456789'.repeat(30))
  const id = sha256(bytes)
  const path = await publishBlob(root, 'acme/app', '1.0', bytes)
  t.equal((await fetchText(root, path)).status, 200)
  t.equal((await hotAnswersOf(root))?.answers, 1, 'offered')

  for (const name of ['range', 'Range', 'RANGE']) {
    const part = await fetchText(root, path, { headers: { [name]: 'bytes=10-14' } })
    t.equal(part.status, 206, `${name}: 206`)
    t.equal(part.body, '01234')
  }
  const ifRange = await fetchText(root, path, { headers: { Range: 'bytes=0-1', 'If-Range': '"sha256:other"' } })
  t.equal(ifRange.status, 200, 'If-Range naming another ETag: the whole blob')
  for (const name of ['if-none-match', 'If-None-Match']) {
    const same = await fetchText(root, path, { headers: { [name]: `"sha256:${id}"` } })
    t.equal(same.status, 304, `${name}: 304`)
    t.equal(same.body, '')
  }
  const head = await fetchText(root, path, { method: 'HEAD' })
  t.equal(head.status, 200)
  t.equal(head.body, '')
  t.equal(head.headers['content-length'], String(bytes.length))

  // Both framings at once: the guard refuses it, repeated target or not.
  const port = Number(new URL(root.url).port)
  const socket = await connectTls(t, port, root.ca)
  const smuggled = await sendRaw(socket, `GET ${path} HTTP/1.1\r\nHost: localhost\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n`, '0\r\n\r\n')
  t.not(smuggled, 'closed')
  if (smuggled !== 'closed') t.equal(smuggled.status, 400, 'Content-Length with Transfer-Encoding: 400')
  t.equal((await fetchText(root, path)).body, bytes.toString(), 'a plain GET still gets the whole blob')
})
