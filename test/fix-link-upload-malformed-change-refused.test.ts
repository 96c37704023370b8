// An uploaded batch with a malformed field is refused whole with 400 naming the field, and changes
// nothing: a publish time that is not an ISO time (compared as text, "zzz" would win over every other
// site's value for ever), an image id that is not 64 hex digits, a negative or fractional size, a
// tag that is not a string, an origin that is not a site name (an empty one was later served as this
// site's own change), a negative upTo or an empty store. (They were applied, or answered 409 "not in
// the blob store".)
import t from 'tap'
import { createHash } from 'node:crypto'
import { LinkRing } from '../plugins/hub/links.ts'
import { fetchText } from './helpers/sites.ts'
import { bearer, startRoot } from './helpers/hub.ts'

const sha = (b: string) => createHash('sha256').update(b).digest('hex')

t.test('malformed uploaded changes are refused naming the field', async (t) => {
  const root = await startRoot(t)
  const push = (await root.gw.service<LinkRing>('links')!.create({ name: 'london', repositories: ['london/*'], mode: 'push' })).token
  const bytes = 'london bytes'
  const put = await fetchText(root, `/api/v1/federation/link/blobs/sha256:${sha(bytes)}`, { method: 'PUT', headers: { ...bearer(push), 'fedgate-offset': '0', 'fedgate-size': String(bytes.length) }, body: bytes })
  t.equal(put.status, 201)
  const at = new Date().toISOString()
  const good = { rev: 1, repo: 'london/a', op: 'tag', tag: '1.0', image: { id: sha(bytes), size: bytes.length, createdAt: at }, at, origin: 'london', originRev: 1 }
  const upload = (changes: unknown[], batch: Record<string, unknown> = {}) => fetchText(root, '/api/v1/federation/link/changes', { method: 'POST', headers: { ...bearer(push), 'content-type': 'application/json' }, body: JSON.stringify({ site: 'london', store: 's', upTo: 9, changes, ...batch }) })

  const cases: [string, unknown[], Record<string, unknown>, RegExp][] = [
    ['a publish time that is not a time', [{ ...good, at: 'zzz' }], {}, /\bat\b.*ISO/],
    ['a publish time not in ISO form', [{ ...good, at: 'Tue, 01 Dec 2026 10:00:00 GMT' }], {}, /\bat\b.*ISO/],
    ['an image id that is no digest', [{ ...good, image: { ...good.image, id: '../x' } }], {}, /image/],
    ['a negative size', [{ ...good, image: { ...good.image, size: -5 } }], {}, /size/],
    ['a fractional size', [{ ...good, image: { ...good.image, size: 1.5 } }], {}, /size/],
    ['a tag that is not text', [{ ...good, tag: 5 }], {}, /tag/],
    ['an empty origin', [{ ...good, origin: '' }], {}, /origin/],
    ['an origin that is no site name', [{ ...good, origin: 'Not A Site' }], {}, /origin/],
    ['a negative originRev', [{ ...good, originRev: -1 }], {}, /originRev/],
    ['a negative upTo', [good], { upTo: -3 }, /upTo/],
    ['an empty store', [good], { store: '' }, /store/],
  ]
  for (const [what, changes, batch, names] of cases) {
    // The bad change comes second: nothing of a refused batch is applied, the good one neither.
    const r = await upload(batch.upTo === undefined && batch.store === undefined ? [{ ...good, repo: 'london/b' }, ...changes] : changes, batch)
    t.equal(r.status, 400, `${what}: 400`)
    t.match(JSON.parse(r.body).error?.message ?? r.body, names, `${what}: the answer names the field`)
  }
  const after = JSON.parse((await fetchText(root, '/api/v1/federation/repos', { headers: bearer(root.admin) })).body)
  t.same(after, { revision: 0, repos: [] }, 'nothing was applied')
  t.equal((await upload([good])).status, 200, 'the well-formed change is taken')
})
