// A change upload spanning several repositories is applied whole or not at all: when one repository's
// changes cannot be applied (a winning tag's blob is not here), the answer is 409 naming the blob and no
// repository of the batch changes. (Each repository committed in turn, so the ones before it were
// applied: a 409 that had changed the site.) A blob only a superseded change of the batch names is
// not needed, and does not hold the batch up.
import t from 'tap'
import { createHash } from 'node:crypto'
import { LinkRing } from '../plugins/hub/links.ts'
import { fetchText } from './helpers/sites.ts'
import { bearer, startRoot } from './helpers/hub.ts'

const sha = (b: string) => createHash('sha256').update(b).digest('hex')

t.test('a change upload is refused whole when one repository lacks a blob', async (t) => {
  const root = await startRoot(t)
  const push = (await root.gw.service<LinkRing>('links')!.create({ name: 'london', repositories: ['london/*'], mode: 'push' })).token
  const held = 'london bytes'
  const put = await fetchText(root, `/api/v1/federation/link/blobs/sha256:${sha(held)}`, { method: 'PUT', headers: { ...bearer(push), 'fedgate-offset': '0', 'fedgate-size': String(held.length) }, body: held })
  t.equal(put.status, 201)
  const at = new Date().toISOString()
  const tag = (repo: string, originRev: number, bytes: string) => ({ rev: originRev, repo, op: 'tag', tag: '1.0', image: { id: sha(bytes), size: bytes.length, createdAt: at }, at, origin: 'london', originRev })
  const upload = (changes: unknown[]) => fetchText(root, '/api/v1/federation/link/changes', { method: 'POST', headers: { ...bearer(push), 'content-type': 'application/json' }, body: JSON.stringify({ site: 'london', store: 's', upTo: 9, changes }) })
  const revision = async () => JSON.parse((await fetchText(root, '/api/v1/federation/repos', { headers: bearer(root.admin) })).body) as { revision: number; repos: string[] }

  const refused = await upload([tag('london/a', 1, held), tag('london/b', 2, 'never sent')])
  t.equal(refused.status, 409, 'a winning change whose blob is not here')
  t.match(refused.body, new RegExp(`sha256:${sha('never sent')}`), 'names the blob')
  t.same(await revision(), { revision: 0, repos: [] }, 'and nothing of the batch was applied, london/a neither')
  t.equal((await fetchText(root, '/api/v1/repos/london/a', { headers: bearer(root.admin) })).status, 404)

  // london/b's first change is replaced within the batch: only the last one's blob is needed.
  const accepted = await upload([tag('london/a', 1, held), tag('london/b', 2, 'never sent'), tag('london/b', 3, held)])
  t.equal(accepted.status, 200, accepted.body)
  t.same((await revision()).repos, ['london/a', 'london/b'], 'a whole batch whose winning blobs are here is applied')
})
