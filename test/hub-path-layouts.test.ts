// hub.layouts describes another hub's path shape: the same repository, image and blob answers are
// found under it, and the /api/v1 paths keep working.
import t from 'tap'
import { createHash } from 'node:crypto'
import { fetchText } from './helpers/sites.ts'
import { publish, startRoot } from './helpers/hub.ts'

const layouts = `hub:
  layouts:
    - { name: turbo-style, repo: '/hub/{ns}/{name}', image: '/hub/{ns}/{name}/{ref}', content: '/hub/{ns}/{name}/{ref}/content', blob: '/hub/blobs/{id}' }
`

t.test('a configured path layout reaches the hub read routes, and only those', async (t) => {
  const root = await startRoot(t, { extra: layouts })
  const bytes = Buffer.from('layout test image')
  const id = createHash('sha256').update(bytes).digest('hex')
  t.equal((await publish(root, root.publish, 'acme/app', '1.0', bytes)).status, 201)
  const auth = { authorization: `Bearer ${root.read}` }

  const info = await fetchText(root, '/hub/acme/app', { headers: auth })
  t.equal(info.status, 200)
  t.same((JSON.parse(info.body) as { tags: Record<string, string> }).tags['1.0'], id)
  t.equal((await fetchText(root, '/hub/acme/app/1.0', { headers: auth })).status, 200, 'image by tag')
  t.equal((await fetchText(root, '/hub/acme/app/1.0/content', { headers: auth })).body, bytes.toString(), 'content by tag')
  t.equal((await fetchText(root, `/hub/blobs/${id}`, { headers: auth })).body, bytes.toString(), 'blob by id')
  t.equal((await fetchText(root, '/hub/acme/app')).status, 401, 'the same key rules apply')
  t.equal((await fetchText(root, '/api/v1/repos/acme/app', { headers: auth })).status, 200, 'the hub API paths still work')

  // A layout is a read route, even at a root, and even for a key that may publish.
  const write = { authorization: `Bearer ${root.publish}` }
  const put = await fetchText(root, '/hub/acme/app/2.0', { method: 'PUT', body: 'through a layout', headers: write })
  t.equal(put.status, 405, 'no publish through a layout')
  t.equal(put.headers.allow, 'GET, HEAD')
  t.equal((await fetchText(root, '/hub/acme/app/1.0', { method: 'DELETE', headers: write })).status, 405, 'no delete through a layout')
  const after = JSON.parse((await fetchText(root, '/api/v1/repos/acme/app', { headers: auth })).body) as { tags: Record<string, string> }
  t.same(Object.keys(after.tags).sort(), ['1.0', 'latest'], 'the tags are as they were')
})
