// Over a custom link where both sides write the same tag (download and upload, no ownership declared),
// a value written over one that had already arrived is a plain overwrite, not a conflict: every change
// carries the version it was written over (prev), so the side that held that version applies it
// without recording anything, and the writing side has nothing to record either. Both end with the
// last value written and no conflict, whichever side writes last. London's clock runs an hour behind
// tokyo's: an overwrite is published after what it overwrites all the same, so it wins everywhere.
import t from 'tap'
import { createHash } from 'node:crypto'
import { systemClock } from '../gateway/util/clock.ts'
import type { Conflict } from '../plugins/hub/store/versions.ts'
import { adminKeyOf, bearer, publish } from './helpers/hub.ts'
import { startLinked } from './helpers/links.ts'
import { fetchText, tempDir, type TestSite } from './helpers/sites.ts'

const id = (s: string) => createHash('sha256').update(s).digest('hex')
const tagOf = async (site: TestSite) => JSON.parse((await fetchText(site, '/api/v1/repos/shared/app')).body).tags['1.0'] as string
const conflictsOf = async (site: TestSite) => (JSON.parse((await fetchText(site, '/api/v1/federation/links/status', { headers: bearer(await adminKeyOf(site)) })).body) as { conflicts: Conflict[] }).conflicts

t.test('a tag overwritten after the other side\'s value arrived records no conflict on either side', async (t) => {
  const dir = tempDir(t)
  const tokyo = await startLinked(t, 'tokyo', { dir })
  const token = (await tokyo.links.create({ name: 'london', repositories: ['shared/*'], mode: 'custom', custom: { download: true, upload: true } })).token
  const behind = { ...systemClock, now: () => systemClock.now() - 3_600_000 }
  const london = await startLinked(t, 'london', { dir, clock: behind, links: [{ name: 'london', url: tokyo.url, token, mode: 'custom', repositories: ['shared/*'], extra: '    download: true\n    upload: true\n' }] })
  const exchange = () => london.engine('london').exchange()

  t.equal((await publish(tokyo, tokyo.publish, 'shared/app', '1.0', 'tokyo value')).status, 201)
  await exchange()
  t.equal(await tagOf(london), id('tokyo value'), 'london received tokyo\'s value')
  t.equal((await publish(london, london.publish, 'shared/app', '1.0', 'london value')).status, 201, 'and writes over it')
  await exchange()
  t.equal(await tagOf(tokyo), id('london value'), 'tokyo takes london\'s value (uploaded)')
  t.equal(await tagOf(london), id('london value'), 'london keeps it')
  t.same(await conflictsOf(tokyo), [], 'no conflict at tokyo')
  t.same(await conflictsOf(london), [], 'nor at london')

  t.equal((await publish(tokyo, tokyo.publish, 'shared/app', '1.0', 'tokyo again')).status, 201, 'tokyo writes over london\'s value in turn')
  for (let i = 0; i < 2; i++) await exchange()
  t.equal(await tagOf(london), id('tokyo again'), 'london takes it (downloaded)')
  t.equal(await tagOf(tokyo), id('tokyo again'), 'tokyo keeps it')
  t.same(await conflictsOf(tokyo), [], 'still no conflict at tokyo')
  t.same(await conflictsOf(london), [], 'nor at london')
})
