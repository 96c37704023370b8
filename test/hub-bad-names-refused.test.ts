// A repository path whose name or tag breaks the naming rules (docs/protocol.md, "Names") is answered 400
// with the rule it breaks, not 404 "nothing is served here", and changes nothing. Paths that are not in
// the API's shapes stay 404.
import t from 'tap'
import { fetchText } from './helpers/sites.ts'
import { bearer, startRoot } from './helpers/hub.ts'

t.test('bad repository names and tags get 400 naming the rule', async (t) => {
  const root = await startRoot(t)
  const write = bearer(root.publish)
  const cases: [string, string, RegExp][] = [
    ['PUT', '/api/v1/repos/acme/App/images/1.0', /a repository is namespace\/name/],
    ['GET', '/api/v1/repos/acme/App', /a repository is namespace\/name/],
    ['PUT', `/api/v1/repos/acme/${'a'.repeat(65)}/images/1.0`, /a repository is namespace\/name/],
    ['PUT', '/api/v1/repos/acme/app/images/-bad', /a tag is 1-128/],
    ['PUT', `/api/v1/repos/acme/app/images/${'a'.repeat(129)}`, /a tag is 1-128/],
    ['GET', '/api/v1/repos/acme/app/images/sha256:abc/content', /sha256:<64 lower-case hex digits>/],
    ['GET', `/api/v1/repos/acme/app/images/sha256:${'A'.repeat(64)}`, /sha256:<64 lower-case hex digits>/],
    ['GET', `/api/v1/repos/acme/app/images/sha256:${'a'.repeat(63)}g/content`, /sha256:<64 lower-case hex digits>/],
    ['GET', `/api/v1/repos/acme/app/images/sha256:${'a'.repeat(65)}`, /sha256:<64 lower-case hex digits>/],
    ['DELETE', '/api/v1/repos/acme/app/tags/-x', /a tag is 1-128/],
  ]
  for (const [method, path, rule] of cases) {
    const r = await fetchText(root, path, { method, headers: write, body: method === 'PUT' ? 'bytes' : undefined })
    t.equal(r.status, 400, `${method} ${path.slice(0, 50)}: 400`)
    t.match(JSON.parse(r.body).error, { code: 'GW_ERR_BAD_REQUEST', message: rule })
  }
  t.equal((await fetchText(root, '/api/v1/repos/acme/app/other', { headers: write })).status, 404, 'outside the API shapes: 404')
  t.equal((await fetchText(root, '/api/v1/federation/repos', { headers: bearer(root.read) })).body, JSON.stringify({ revision: 0, repos: [] }), 'nothing was created')
})
