// Three sites mirroring in a triangle (A↔B, B↔C, C↔A) converge after publishes at each, and once
// converged exchange no further change or blob: a change that arrives again by the other way round is
// older-or-equal to what is held, so it writes nothing and is never passed on. And no change ever
// travels where it must not, counted on the wire by each receiving side (LinkStatus.echoes): none
// reaches the site that made it, none goes back to the site it came from. Exchanges run in every
// order, so changes are relayed each way round (a change of c reaching b by a, and so on).
import t from 'tap'
import { adminKeyOf, bearer, publish } from './helpers/hub.ts'
import { linkStatus, startLinked, type LinkedSite } from './helpers/links.ts'
import { fetchText, tempDir } from './helpers/sites.ts'
import type { LinkStatus } from '../plugins/federation/status.ts'

const REPOS = ['a/*', 'b/*', 'c/*']

t.test('a triangle of mirror links converges, sends nothing back, then goes quiet', async (t) => {
  const dir = tempDir(t)
  // Each site is the incoming side of one link and the outgoing side of the next.
  const b0 = await startLinked(t, 'b', { dir, owns: ['b/*'] })
  const tokenAB = (await b0.links.create({ name: 'a-b', repositories: REPOS, mode: 'mirror' })).token
  const tokenBC = (await b0.links.create({ name: 'c-b', repositories: REPOS, mode: 'mirror' })).token
  // a connects out to b; c connects out to b and to a.
  const a = await startLinked(t, 'a', { dir, owns: ['a/*'], links: [{ name: 'a-b', url: b0.url, token: tokenAB, mode: 'mirror', repositories: REPOS }] })
  const ca = (await a.links.create({ name: 'c-a', repositories: REPOS, mode: 'mirror' })).token
  const c = await startLinked(t, 'c', {
    dir,
    owns: ['c/*'],
    links: [
      { name: 'c-b', url: b0.url, token: tokenBC, mode: 'mirror', repositories: REPOS },
      { name: 'c-a', url: a.url, token: ca, mode: 'mirror', repositories: REPOS },
    ],
  })
  const sites: LinkedSite[] = [a, b0, c]
  const exchanges = [() => a.engine('a-b').exchange(), () => c.engine('c-b').exchange(), () => c.engine('c-a').exchange()]
  const round = async (order = [0, 1, 2]) => {
    for (const i of order) await exchanges[i]!()
  }

  for (const [site, ns] of [[a, 'a'], [b0, 'b'], [c, 'c']] as const) {
    t.equal((await publish(site, site.publish, `${ns}/app`, '1.0', `${ns} 1`)).status, 201)
    t.equal((await publish(site, site.publish, `${ns}/lib`, '1.0', `${ns} lib`)).status, 201)
  }
  // Every order of the three exchanges, each after a publish at every site: each change is relayed
  // both ways round, so each site holds changes that arrived from a peer other than their origin.
  const orders = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]]
  for (const [n, order] of orders.entries()) {
    for (const [site, ns] of [[a, 'a'], [b0, 'b'], [c, 'c']] as const) t.equal((await publish(site, site.publish, `${ns}/app`, `2.${n}`, `${ns} 2.${n}`)).status, 201)
    await round(order)
    await round(order)
  }
  for (let i = 0; i < 2; i++) await round()
  for (const site of sites) {
    for (const ns of ['a', 'b', 'c']) {
      t.equal((await fetchText(site, `/api/v1/repos/${ns}/app/images/1.0/content`)).body, `${ns} 1`, `${site.name} serves ${ns}/app`)
      t.equal((await fetchText(site, `/api/v1/repos/${ns}/app/images/2.5/content`)).body, `${ns} 2.5`, `${site.name} serves ${ns}/app:2.5`)
    }
  }

  // Counted by each receiving side, from what arrived over the wire: every link, both of its ends.
  const statuses = async (site: LinkedSite): Promise<LinkStatus[]> => {
    const res = await fetchText(site, '/api/v1/federation/links/status', { headers: bearer(await adminKeyOf(site)) })
    return (JSON.parse(res.body) as { links: LinkStatus[] }).links
  }
  for (const site of sites) {
    for (const s of await statuses(site)) {
      t.equal(s.echoes.own, 0, `${site.name}, ${s.direction} link ${s.name}: no change made at ${site.name} came back to it`)
      t.equal(s.echoes.returned, 0, `${site.name}, ${s.direction} link ${s.name}: no change went back to ${site.name}, where it came from`)
    }
  }

  const traffic = async () => {
    let n = 0
    for (const [site, link] of [[a, 'a-b'], [c, 'c-b'], [c, 'c-a']] as const) {
      const s = await linkStatus(site, 'outgoing', link)
      n += s.changes.in + s.changes.out + s.blobs.in + s.blobs.out
    }
    return n
  }
  const before = await traffic()
  t.ok(before > 0, 'changes and blobs moved while converging')
  for (let i = 0; i < 3; i++) await round()
  t.equal(await traffic(), before, 'no change and no blob exchanged after convergence')
})
