// 100 clients ask at once for one URL the cache does not hold: the root is asked once, the others wait
// for that answer (as nginx's proxy_cache_lock) and every client gets it whole.
import t from 'tap'
import { request } from 'undici'
import { cacheOf, startChildWithOrigin } from './helpers/child-site.ts'

const CLIENTS = 100

t.test('concurrent requests for a cold URL make one root request', async (t) => {
  let asked = 0
  let open: () => void = () => {}
  const opened = new Promise<void>((r) => (open = r))
  const body = 'x'.repeat(200_000)
  const { site } = await startChildWithOrigin(t, 'cache-coalesce', {
    extra: 'forward: { cache: { enabled: true, lockTimeout: 5m } }\n',
    handler: (req, res) => {
      if (!req.url!.startsWith('/api/')) return res.end('ok')
      asked++
      void opened.then(() => {
        res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'max-age=60' })
        res.end(body)
      })
    },
  })
  const cache = () => cacheOf(site)
  const answers = Array.from({ length: CLIENTS }, async () => {
    const res = await request(`${site.url}/api/v1/blobs/cold`, { dispatcher: site.agent })
    return { status: res.statusCode, body: await res.body.text(), cache: res.headers['cache-status'] }
  })
  // The root answers once every other request waits for its answer (bounded wait; asserted below).
  for (let i = 0; i < 600 && cache().waiting < CLIENTS - 1; i++) await new Promise((r) => setTimeout(r, 50))
  t.equal(cache().waiting, CLIENTS - 1, 'every other request waits for the first one\'s root request')
  open()
  const got = await Promise.all(answers)
  t.equal(asked, 1, 'the root was asked once')
  t.same(new Set(got.map((g) => g.status)), new Set([200]))
  t.ok(got.every((g) => g.body === body), 'each got the whole body')
  t.equal(got.filter((g) => /collapsed/.test(String(g.cache))).length, CLIENTS - 1, 'the waiters\' answers say they were collapsed')
  t.equal(cache().coalesced, CLIENTS - 1)
  t.equal(cache().miss, 1)
})
