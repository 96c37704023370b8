// A publish whose client goes away mid-body: nothing is stored, no temp file stays, no tag moves, the
// request is logged as 499 (client left), and the site keeps answering.
import t from 'tap'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { connect } from 'node:tls'
import { fetchText } from './helpers/sites.ts'
import { bearer, publish, startRoot } from './helpers/hub.ts'
import type { FileBlobStore } from '../plugins/hub/store/blob-store.ts'

t.test('an upload cut mid-body stores nothing and is logged as 499', async (t) => {
  const root = await startRoot(t)
  const socket = connect({ host: '127.0.0.1', port: root.gw.httpsPort, ca: root.ca, servername: 'localhost' })
  await new Promise<void>((resolve, reject) => socket.once('secureConnect', resolve).once('error', reject))
  socket.on('error', () => {})
  socket.write(`PUT /api/v1/repos/acme/app/images/1.0 HTTP/1.1\r\nhost: localhost\r\nauthorization: Bearer ${root.publish}\r\ncontent-type: application/octet-stream\r\ncontent-length: ${1024 * 1024}\r\n\r\n`)
  socket.write(Buffer.alloc(64 * 1024, 7))
  // Cut once the site has the request (its temp file exists), with most of the body never sent.
  const blobs = root.gw.service<FileBlobStore>('blobStore')!
  for (let i = 0; i < 200 && readdirSync(join(blobs.dir, 'tmp')).length === 0; i++) await new Promise((r) => setTimeout(r, 10))
  t.equal(readdirSync(join(blobs.dir, 'tmp')).length, 1, 'the upload had started')
  socket.destroy()

  const [line] = await root.logs.waitFor((l) => l.msg === 'request' && l.method === 'PUT')
  t.match(line, { path: '/api/v1/repos/acme/app/images/1.0', status: 499 }, 'logged as the client leaving')
  for (let i = 0; i < 200 && readdirSync(join(blobs.dir, 'tmp')).length > 0; i++) await new Promise((r) => setTimeout(r, 10))
  t.same(readdirSync(join(blobs.dir, 'tmp')), [], 'no temp file left')
  const stored: string[] = []
  for await (const id of blobs.list()) stored.push(id)
  t.same(stored, [], 'no blob')
  t.equal((await fetchText(root, '/api/v1/repos/acme/app', { headers: bearer(root.read) })).status, 404, 'no repository, no tag')
  t.equal((await publish(root, root.publish, 'acme/app', '1.0', 'whole bytes')).status, 201, 'the site keeps answering, and the same publish then succeeds')
})
