// The root's side of a pipelining client that leaves: blob answers queued behind the first one were never
// closed, and each kept its blob file open for good (25 of 30 in the report). They are closed with the
// connection now, and so are their files.
import t from 'tap'
import { readdirSync, readlinkSync } from 'node:fs'
import { connectTls } from './helpers/raw-http.ts'
import { publish, startRoot } from './helpers/hub.ts'
import { sha256 } from './helpers/stores.ts'
import { waitFor } from './helpers/sync.ts'

const PIPELINED = 10

t.test('blob reads queued behind a pipelined one close their files when the client leaves', async (t) => {
  const root = await startRoot(t)
  const bytes = Buffer.alloc(4 * 1024 * 1024, 3)
  t.equal((await publish(root, root.publish, 'acme/big', '1.0', bytes)).status, 201)
  const id = sha256(bytes)
  const openOnBlob = () =>
    readdirSync('/proc/self/fd').filter((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`).includes(id)
      } catch {
        return false
      }
    }).length
  const inFlight = () => (root.gw.health() as { requests: { inFlight: number } }).requests.inFlight

  const socket = await connectTls(t, root.gw.httpsPort, root.ca)
  socket.pause() // reads nothing
  socket.write(`GET /api/v1/blobs/sha256:${id} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${root.read}\r\n\r\n`.repeat(PIPELINED))
  await waitFor('every request taken in', () => inFlight() === PIPELINED)
  socket.destroy()
  await waitFor('nothing in flight', () => inFlight() === 0)
  t.equal(inFlight(), 0, 'no request left in flight')
  await waitFor('no file open', () => openOnBlob() === 0)
  t.equal(openOnBlob(), 0, 'no file of the blob left open')
})
