// A publish larger than hub.maxUploadBytes gets 413 and stores nothing, whether its length was announced
// (refused before the body is read) or the body is chunked (refused once it passes the limit). The rest
// of the body is not read: the answer says `connection: close` and the connection ends.
import t from 'tap'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { fetchText } from './helpers/sites.ts'
import { bearer, publish, startRoot } from './helpers/hub.ts'
import { closed, connectTls, readResponse, type RawResponse } from './helpers/raw-http.ts'
import type { FileBlobStore } from '../plugins/hub/store/blob-store.ts'

t.test('an upload over the limit is answered 413, chunked or not, and nothing is stored', async (t) => {
  const root = await startRoot(t, { extra: 'hub: { maxUploadBytes: 1000 }\n' })
  let socket = await connectTls(t, root.gw.httpsPort, root.ca)
  socket.on('error', () => {}) // the gateway may reset a socket whose body it did not read
  const head = (tag: string, framing: string) =>
    `PUT /api/v1/repos/acme/app/images/${tag} HTTP/1.1\r\nhost: localhost\r\nauthorization: Bearer ${root.publish}\r\ncontent-type: application/octet-stream\r\n${framing}\r\n\r\n`

  // Chunked: 50 chunks of 100 bytes, sent a few at a time, so the limit is passed mid-body.
  const chunked = readResponse(socket)
  socket.write(head('big', 'transfer-encoding: chunked'))
  for (let i = 0; i < 50; i++) {
    socket.write(`64\r\n${'x'.repeat(100)}\r\n`)
    if (i % 10 === 9) await new Promise((r) => setTimeout(r, 5))
  }
  socket.write('0\r\n\r\n')
  const a = (await chunked) as RawResponse
  t.equal(a.status, 413, 'chunked: 413, not a reset connection')
  t.equal(JSON.parse(a.body).error.code, 'GW_ERR_TOO_LARGE')
  // Whether the chunked body had all arrived by then (kept) or not (closed) depends on timing.
  socket.destroy()

  // Announced length over the limit, on a new connection.
  socket = await connectTls(t, root.gw.httpsPort, root.ca)
  socket.on('error', () => {})
  const announced = readResponse(socket)
  socket.write(head('big2', 'content-length: 5000') + 'y'.repeat(5000))
  const b = (await announced) as RawResponse
  t.equal(b.status, 413, 'content-length over the limit: 413')
  t.equal(b.headers.connection, 'close', 'content-length: the connection closes')
  await closed(socket)

  t.equal((await fetchText(root, '/api/v1/repos/acme/app', { headers: bearer(root.read) })).status, 404, 'no repository was made')

  const blobs = root.gw.service<FileBlobStore>('blobStore')!
  const stored: string[] = []
  for await (const id of blobs.list()) stored.push(id)
  t.same(stored, [], 'no blob')
  for (let i = 0; i < 200 && readdirSync(join(blobs.dir, 'tmp')).length > 0; i++) await new Promise((r) => setTimeout(r, 10))
  t.same(readdirSync(join(blobs.dir, 'tmp')), [], 'no temp file left')
  t.equal((await publish(root, root.publish, 'acme/app', '1.0', 'x'.repeat(1000))).status, 201, 'exactly the limit is accepted')
  t.equal((await fetchText(root, '/api/v1/repos/acme/app/images/1.0/content', { headers: bearer(root.read) })).body.length, 1000)
})
