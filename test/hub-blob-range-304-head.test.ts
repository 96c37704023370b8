import t from 'tap'
import { fetchText } from './helpers/sites.ts'
import { bearer, publish, startRoot } from './helpers/hub.ts'
import { sha256 } from './helpers/stores.ts'

for (const size of [1000, 600_000]) {
  t.test(`a blob of ${size} bytes (${size > 256 * 1024 ? 'from disk' : 'hot tier'}) honours Range, If-None-Match and HEAD`, async (t) => {
    const root = await startRoot(t)
    const bytes = Buffer.from(Array.from({ length: size }, (_, i) => 'abcdefghij'[i % 10]).join(''))
    const id = sha256(bytes)
    t.equal((await publish(root, root.publish, 'acme/app', '1.0', bytes)).status, 201)
    const path = `/api/v1/blobs/sha256:${id}`
    const h = bearer(root.read)

    for (let round = 0; round < 2; round++) {
      const part = await fetchText(root, path, { headers: { ...h, range: 'bytes=10-19' } })
      t.equal(part.status, 206)
      t.equal(part.body, bytes.subarray(10, 20).toString())
      t.equal(part.headers['content-range'], `bytes 10-19/${size}`)
      const tail = await fetchText(root, path, { headers: { ...h, range: 'bytes=-5' } })
      t.equal(tail.status, 206)
      t.equal(tail.body, bytes.subarray(size - 5).toString())
      const open = await fetchText(root, path, { headers: { ...h, range: `bytes=${size - 3}-` } })
      t.equal(open.body, bytes.subarray(size - 3).toString())
    }
    const bad = await fetchText(root, path, { headers: { ...h, range: `bytes=${size}-` } })
    t.equal(bad.status, 416)
    t.equal(bad.headers['content-range'], `bytes */${size}`)

    const cached = await fetchText(root, path, { headers: { ...h, 'if-none-match': `"sha256:${id}"` } })
    t.equal(cached.status, 304)
    t.equal(cached.body, '')
    t.equal(cached.headers.etag, `"sha256:${id}"`)
    const changed = await fetchText(root, path, { headers: { ...h, 'if-none-match': '"sha256:other"' } })
    t.equal(changed.status, 200)
    t.equal(changed.body.length, size)

    const head = await fetchText(root, path, { method: 'HEAD', headers: h })
    t.equal(head.status, 200)
    t.equal(head.headers['content-length'], String(size))
    t.equal(head.headers['accept-ranges'], 'bytes')
    t.equal(head.body, '')

    const info = await fetchText(root, '/api/v1/repos/acme/app', { headers: h })
    const again = await fetchText(root, '/api/v1/repos/acme/app', { headers: { ...h, 'if-none-match': String(info.headers.etag) } })
    t.equal(again.status, 304, 'repository info revalidates by revision')
  })
}
