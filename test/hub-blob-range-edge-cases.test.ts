// Range edge cases by RFC 9110 §14: a suffix range of an empty blob selects nothing (416, `bytes */0`);
// a range whose last position is before its first is invalid and ignored (200, whole); one byte and an
// end past the blob are served as 206.
import t from 'tap'
import { fetchText } from './helpers/sites.ts'
import { bearer, publish, startRoot } from './helpers/hub.ts'
import { sha256 } from './helpers/stores.ts'

t.test('empty blobs, inverted ranges, one byte and clipped ends', async (t) => {
  const root = await startRoot(t)
  const h = bearer(root.read)
  const bytes = Buffer.from('0123456789')
  t.equal((await publish(root, root.publish, 'acme/app', '1.0', bytes)).status, 201)
  t.equal((await publish(root, root.publish, 'acme/empty', '1.0', Buffer.alloc(0))).status, 201)
  const path = `/api/v1/blobs/sha256:${sha256(bytes)}`
  const empty = `/api/v1/blobs/sha256:${sha256(Buffer.alloc(0))}`

  for (const method of ['GET', 'HEAD']) {
    const suffix = await fetchText(root, empty, { method, headers: { ...h, range: 'bytes=-5' } })
    t.equal(suffix.status, 416, `${method}: a suffix of an empty blob is unsatisfiable`)
    t.equal(suffix.headers['content-range'], 'bytes */0')
  }
  const whole = await fetchText(root, empty, { headers: h })
  t.equal(whole.status, 200)
  t.equal(whole.body, '')

  const inverted = await fetchText(root, path, { headers: { ...h, range: 'bytes=5-2' } })
  t.equal(inverted.status, 200, 'an invalid range is ignored')
  t.equal(inverted.body, '0123456789')
  t.equal(inverted.headers['content-range'], undefined)

  const one = await fetchText(root, path, { headers: { ...h, range: 'bytes=0-0' } })
  t.equal(one.status, 206)
  t.equal(one.body, '0')
  t.equal(one.headers['content-range'], 'bytes 0-0/10')

  const clipped = await fetchText(root, path, { headers: { ...h, range: 'bytes=7-100' } })
  t.equal(clipped.status, 206)
  t.equal(clipped.body, '789')
  t.equal(clipped.headers['content-range'], 'bytes 7-9/10')
})
