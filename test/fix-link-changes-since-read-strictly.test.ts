// A peer reads this site's log from `since`, a revision. The link endpoint read it loosely (an empty
// value as 0, `1e2` as 100 and so a misleading 410, `0x1` as 1, the first of two), where the hub's own
// feed refuses each of these: a peer with a bug then read from a place it never asked for. Refused with
// 400 naming `since`, as the hub's feed does; a plain revision is still read.
import t from 'tap'
import { LinkRing } from '../plugins/hub/links.ts'
import { fetchText } from './helpers/sites.ts'
import { bearer, startRoot } from './helpers/hub.ts'

const BAD = ['since=', 'since=1e2', 'since=0x1', 'since=1.5', 'since=-1', 'since=%201', 'since=0&since=5']

t.test("a link's change feed refuses a since that is not one plain revision", async (t) => {
  const root = await startRoot(t)
  const links = root.gw.service<LinkRing>('links')!
  const token = (await links.create({ name: 'paris', repositories: ['paris/*'], mode: 'pull' })).token
  const read = (query: string) => fetchText(root, `/api/v1/federation/link/changes?peer=paris&${query}`, { headers: bearer(token) })
  for (const q of BAD) {
    const res = await read(q)
    t.equal(res.status, 400, `${q} → 400`)
    t.match(res.status === 400 && JSON.parse(res.body).error, { code: 'GW_ERR_BAD_REQUEST', message: /since/ }, `${q}: the error names since`)
  }
  t.equal((await read('since=0')).status, 200, 'since=0 is read')
  t.equal((await read('x=1')).status, 200, 'no since reads from the start')
})
