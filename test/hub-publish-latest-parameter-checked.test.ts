// `?latest=false` keeps the latest tag where it is. Any other value (`bogus`) or the parameter twice
// (`latest=false&latest=true`) moved `latest` as if it were absent; now each is refused (400) and
// changes nothing, as the other query parameters are.
import t from 'tap'
import { fetchText } from './helpers/sites.ts'
import { bearer, publish, startRoot } from './helpers/hub.ts'

t.test('a publish with a bad or repeated latest parameter is refused and moves no tag', async (t) => {
  const root = await startRoot(t)
  t.equal((await publish(root, root.publish, 'acme/app', '1.0', 'one')).status, 201, 'the first image, tagged latest')
  const tags = async () => JSON.parse((await fetchText(root, '/api/v1/repos/acme/app', { headers: bearer(root.read) })).body).tags as Record<string, string>
  const before = await tags()
  for (const query of ['latest=bogus', 'latest=false&latest=true', 'latest=']) {
    const res = await publish(root, root.publish, 'acme/app', `2.0?${query}`, 'two')
    t.equal(res.status, 400, `?${query}: 400`)
    t.match(res.body.error, { code: 'GW_ERR_BAD_REQUEST', message: /latest/ }, `?${query}: the error names the parameter`)
  }
  t.same(await tags(), before, 'no tag moved, none added')
  t.equal((await publish(root, root.publish, 'acme/app', '2.0?latest=false', 'two')).status, 201, 'latest=false is accepted')
  const after = await tags()
  t.equal(after.latest, before.latest, 'and keeps latest where it was')
  t.ok(after['2.0'], 'the new tag is there')
})
