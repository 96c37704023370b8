// A blob answered only after a key check is `Cache-Control: private`: a shared cache in front of the
// site must not hand it to anyone who knows the digest. A blob anyone may read stays public.
import t from 'tap'
import { fetchText } from './helpers/sites.ts'
import { bearer, KEYLESS_READS, publishBlob, startRoot } from './helpers/hub.ts'
import { sha256 } from './helpers/stores.ts'

const IMMUTABLE = 'max-age=31536000, immutable'

for (const size of [1000, 600_000]) {
  t.test(`a ${size}-byte blob (${size > 256 * 1024 ? 'from disk' : 'hot tier'}): private after a key check, public when no key is asked`, async (t) => {
    const bytes = Buffer.alloc(size, 'secret layer')
    const id = sha256(bytes)
    const keyed = await startRoot(t)
    const path = await publishBlob(keyed, 'acme/app', '1.0', bytes)
    const h = bearer(keyed.read)
    for (const [what, p, headers] of [
      ['GET blob', path, h],
      ['GET blob again', path, h],
      ['GET content', '/api/v1/repos/acme/app/images/1.0/content', h],
      ['Range', path, { ...h, range: 'bytes=0-9' }],
      ['If-None-Match (304)', path, { ...h, 'if-none-match': `"sha256:${id}"` }],
    ] as const) {
      const res = await fetchText(keyed, p, { headers })
      t.ok(res.status < 400, `${what}: answered (${res.status})`)
      t.equal(res.headers['cache-control'], `private, ${IMMUTABLE}`, `${what}: private`)
    }
    const head = await fetchText(keyed, path, { method: 'HEAD', headers: h })
    t.equal(head.headers['cache-control'], `private, ${IMMUTABLE}`, 'HEAD: private')
    t.equal((await fetchText(keyed, path)).status, 401, 'and without the key, refused')

    const open = await startRoot(t, { extra: KEYLESS_READS })
    await publishBlob(open, 'acme/app', '1.0', bytes)
    for (let i = 0; i < 2; i++) {
      const res = await fetchText(open, path)
      t.equal(res.status, 200)
      t.equal(res.headers['cache-control'], `public, ${IMMUTABLE}`, `no key asked (${i ? 'repeated' : 'first'}): public`)
    }
  })
}
