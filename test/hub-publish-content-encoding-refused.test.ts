// A publish sent with `Content-Encoding: gzip` was stored as the compressed bytes, its digest theirs:
// readers got a gzip stream where they expected the image. A coded body is refused (415, naming the
// coding) and stores nothing; `identity` is the bytes themselves and is accepted.
import t from 'tap'
import { gzipSync } from 'node:zlib'
import { fetchText } from './helpers/sites.ts'
import { bearer, publish, startRoot } from './helpers/hub.ts'

t.test('a publish with a content coding is refused (415) and stores nothing', async (t) => {
  const root = await startRoot(t)
  const res = await publish(root, root.publish, 'acme/app', '1.0', gzipSync('the image'), { 'content-encoding': 'gzip' })
  t.equal(res.status, 415)
  t.match(res.body.error, { code: 'GW_ERR_UNSUPPORTED_ENCODING', message: /gzip/ })
  t.equal((await fetchText(root, '/api/v1/repos/acme/app', { headers: bearer(root.read) })).status, 404, 'no repository, no tag')
  t.equal((await publish(root, root.publish, 'acme/app', '1.0', 'the image', { 'content-encoding': 'identity' })).status, 201, 'identity is accepted')
})
