// Two clients ask at once for a URL the cache does not hold, one accepting gzip and one not; the root
// answers `Vary: Accept-Encoding`. The second request waited for the first's root request, and was
// handed that answer whatever its own Accept-Encoding: a client that cannot read gzip got gzip. A
// waiter whose request differs in a header the answer varies by now gets its own variant.
import { gunzipSync, gzipSync } from 'node:zlib'
import t from 'tap'
import { request } from 'undici'
import { cacheOf, startChildWithOrigin } from './helpers/child-site.ts'

const DOC = JSON.stringify({ name: 'pkg-x', readme: 'x'.repeat(500) })

t.test('a collapsed request gets the variant for its own request headers', async (t) => {
  let asked = 0
  let release: () => void = () => {}
  const released = new Promise<void>((r) => (release = r))
  const { site } = await startChildWithOrigin(t, 'cache-collapse-vary', {
    extra: 'forward: { cache: { enabled: true, lockTimeout: 5m } }\n',
    handler: (req, res) => {
      if (!req.url!.startsWith('/api/')) return res.end('ok')
      // The first root request is held until the other client waits for it.
      const hold = asked++ === 0 ? released : Promise.resolve()
      const gzip = /gzip/.test(String(req.headers['accept-encoding'] ?? ''))
      void hold.then(() => {
        res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=300', vary: 'Accept-Encoding', ...(gzip ? { 'content-encoding': 'gzip' } : {}) })
        res.end(gzip ? gzipSync(DOC) : DOC)
      })
    },
  })
  const get = async (headers: Record<string, string>) => {
    const res = await request(`${site.url}/api/v1/packages/pkg-x`, { headers, dispatcher: site.agent })
    return { status: res.statusCode, encoding: res.headers['content-encoding'], body: Buffer.from(await res.body.arrayBuffer()) }
  }
  const zipped = get({ 'accept-encoding': 'gzip' })
  const plain = get({ 'accept-encoding': 'identity' })
  for (let i = 0; i < 600 && cacheOf(site).waiting < 1; i++) await new Promise((r) => setTimeout(r, 20))
  t.equal(cacheOf(site).waiting, 1, 'one request waits for the other\'s root request')
  release()
  const [z, p] = await Promise.all([zipped, plain])
  t.equal(p.status, 200)
  t.equal(p.encoding, undefined, 'the client that did not accept gzip got no gzip')
  t.equal(p.body.toString(), DOC)
  t.equal(z.encoding, 'gzip', 'the gzip client got gzip')
  t.equal(gunzipSync(z.body).toString(), DOC)
  t.equal(asked, 2, 'each variant was asked of the root once')
})
