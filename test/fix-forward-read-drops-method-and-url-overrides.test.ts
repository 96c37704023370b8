// A read goes to the root with the site's key, and the gateway routes it by its method and path. Some
// frameworks let a header rewrite the method (X-HTTP-Method-Override: DELETE) or the URL (X-Original-URL:
// /admin) after every proxy in front has decided: a client could make the site's key act beyond the
// read routed here. Those headers are not sent with the site's key, through the direct path and the
// forward cache alike; a write (the client's own credentials) keeps them.
import t from 'tap'
import { startChildWithOrigin } from './helpers/child-site.ts'
import { fetchText } from './helpers/sites.ts'

const OVERRIDES = {
  'x-http-method-override': 'DELETE',
  'x-http-method': 'DELETE',
  'x-method-override': 'PUT',
  'x-original-method': 'DELETE',
  'x-original-url': '/admin/delete-everything',
  'x-rewrite-url': '/admin/delete-everything',
}

for (const cache of [false, true]) {
  t.test(`a read's method and URL overrides never reach the root with the site's key (forward cache ${cache ? 'on' : 'off'})`, async (t) => {
    const { origin, site, key } = await startChildWithOrigin(t, 'overrides', { extra: `forward: { allowWrites: true, cache: { enabled: ${cache} } }\n` })
    for (const method of ['GET', 'HEAD']) {
      const res = await fetchText(site, `/api/v1/${method}`, { method, headers: { ...OVERRIDES, 'x-kept': 'yes' } })
      t.equal(res.status, 200, `${method} answered`)
      const seen = origin.seen.find((s) => s.url === `/api/v1/${method}`)
      t.equal(seen?.headers.authorization, `Bearer ${key}`, `${method}: went with the site's key`)
      t.equal(seen?.headers['x-kept'], 'yes', `${method}: other headers pass`)
      for (const h of Object.keys(OVERRIDES)) t.equal(seen?.headers[h], undefined, `${method}: ${h} was not sent`)
    }
    const write = await fetchText(site, '/api/v1/write', { method: 'POST', headers: { ...OVERRIDES, authorization: 'Bearer own' }, body: '{}' })
    t.equal(write.status, 200, 'a write is answered')
    const seen = origin.seen.find((s) => s.url === '/api/v1/write')
    t.equal(seen?.headers.authorization, 'Bearer own', "a write goes with the client's own credentials")
    t.equal(seen?.headers['x-http-method-override'], 'DELETE', 'and keeps its headers')
  })
}
