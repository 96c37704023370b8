// Three sites mirroring in a triangle (A↔B, B↔C, C↔A) converge after publishes at each, and once
// converged exchange no further change or blob: a change that arrives again by the other way round is
// older-or-equal to what is held, so it writes nothing and is never passed on.
import t from 'tap'
import { publish } from './helpers/hub.ts'
import { linkStatus, startLinked, type LinkedSite } from './helpers/links.ts'
import { fetchText, tempDir } from './helpers/sites.ts'

const REPOS = ['a/*', 'b/*', 'c/*']

t.test('a triangle of mirror links converges, then goes quiet', async (t) => {
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
  const round = async () => {
    await a.engine('a-b').exchange()
    await c.engine('c-b').exchange()
    await c.engine('c-a').exchange()
  }

  for (const [site, ns] of [[a, 'a'], [b0, 'b'], [c, 'c']] as const) {
    t.equal((await publish(site, site.publish, `${ns}/app`, '1.0', `${ns} 1`)).status, 201)
    t.equal((await publish(site, site.publish, `${ns}/lib`, '1.0', `${ns} lib`)).status, 201)
  }
  for (let i = 0; i < 3; i++) await round()
  for (const site of sites) for (const ns of ['a', 'b', 'c']) t.equal((await fetchText(site, `/api/v1/repos/${ns}/app/images/1.0/content`)).body, `${ns} 1`, `${site.name} serves ${ns}/app`)

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
