// Answers the root marks private or no-store, that set a cookie, or that vary on a header the gateway
// replaces (Vary: Authorization, Vary: *) are never stored: each request goes to the root, and none is
// answered once the root is stopped. A plain cacheable answer beside them is stored (the control).
import t from 'tap'
import { cacheOf, startChildWithOrigin } from './helpers/child-site.ts'
import { fetchText } from './helpers/sites.ts'

const KINDS: Record<string, Record<string, string>> = {
  private: { 'cache-control': 'private, max-age=600' },
  'no-store': { 'cache-control': 'no-store, max-age=600' },
  cookie: { 'cache-control': 'max-age=600', 'set-cookie': 'session=secret-of-the-site-key' },
  'vary-authorization': { 'cache-control': 'max-age=600', vary: 'Accept, Authorization' },
  'vary-star': { 'cache-control': 'max-age=600', vary: '*' },
  control: { 'cache-control': 'max-age=600' },
}

t.test('private, no-store, Set-Cookie and Vary: Authorization answers are never stored', async (t) => {
  const asked = new Map<string, number>()
  const { origin, site } = await startChildWithOrigin(t, 'cache-private', {
    extra: 'forward: { cache: { enabled: true, defaults: { maxAge: 10m } } }\n',
    handler: (req, res) => {
      const kind = req.url!.split('/').pop()!
      if (!(kind in KINDS)) return res.end('ok')
      asked.set(kind, (asked.get(kind) ?? 0) + 1)
      res.writeHead(200, { 'content-type': 'text/plain', ...KINDS[kind] })
      res.end(`answer for ${kind}`)
    },
  })
  for (const kind of Object.keys(KINDS)) {
    for (let i = 0; i < 2; i++) {
      const r = await fetchText(site, `/api/v1/things/${kind}`, { headers: { authorization: 'Bearer client-own' } })
      t.equal(r.status, 200)
      t.notOk(JSON.stringify(r.headers).includes('secret-of-the-site-key'), 'the root\'s cookie never reaches a client')
    }
  }
  for (const kind of Object.keys(KINDS)) t.equal(asked.get(kind), kind === 'control' ? 1 : 2, `${kind}: ${kind === 'control' ? 'stored' : 'every request went to the root'}`)
  const cache = cacheOf(site)
  t.equal(cache.entries, 1, 'only the control is stored')

  await origin.close()
  for (const kind of Object.keys(KINDS)) {
    const r = await fetchText(site, `/api/v1/things/${kind}`)
    t.equal(r.status, kind === 'control' ? 200 : 503, `${kind} with the root stopped`)
  }
})
