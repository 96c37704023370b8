// The incoming side of a link could not tell that its peer had stopped: its status said ok, with an
// older and older last exchange. The peer says in its hello how often it exchanges; once nothing came
// from it for three of those intervals, the link is `stale` (with since when it was last heard from) in
// the links status and /health, which the admin page and `fedgate status` show, until it is heard from
// again. Tokyo's clock is fake: its time is moved on, nobody waits for it.
import t from 'tap'
import { healthOf } from './helpers/hub.ts'
import { linkStatus, startLinked } from './helpers/links.ts'
import { tempDir } from './helpers/sites.ts'

const MINUTE = 60_000

t.test('an incoming link whose peer is no longer heard from shows stale', async (t) => {
  const dir = tempDir(t)
  const tokyo = await startLinked(t, 'tokyo', { dir, owns: ['tokyo/*'], clock: t.clock })
  const token = (await tokyo.links.create({ name: 'london', repositories: ['london/*'], mode: 'push' })).token
  const london = await startLinked(t, 'london', { dir, owns: ['london/*'], links: [{ name: 'london', url: tokyo.url, token, mode: 'push', repositories: ['london/*'], interval: '10m' }] })
  const incoming = async () => ((await healthOf(tokyo)).federation.links as Record<string, any>[]).find((l) => l.direction === 'incoming')!

  await london.engine('london').exchange()
  t.equal((await incoming()).state, 'ok')
  t.clock.advance(31 * MINUTE)
  t.equal((await incoming()).state, 'stale', 'three intervals (10 minutes, as london said) without a word')
  await london.engine('london').exchange()
  t.equal((await incoming()).state, 'ok', 'heard from again: ok')
  t.notOk((await incoming()).stale)

  await london.gw.close()
  const heard = (await linkStatus(tokyo, 'incoming')).lastExchange
  t.clock.advance(30 * MINUTE)
  t.equal((await incoming()).state, 'ok', 'london stopped: three intervals are tolerated')
  t.equal((await linkStatus(tokyo, 'incoming')).state, 'ok')

  t.clock.advance(1000)
  const health = await incoming()
  t.equal(health.state, 'stale', '/health (and so the admin page) shows the peer not heard from')
  t.same(health.stale, { since: heard, interval: 10 * MINUTE }, 'since its last exchange, and the interval it declared')
  const status = await linkStatus(tokyo, 'incoming')
  t.equal(status.state, 'stale', 'so does the links status')
  t.same(status.stale, health.stale)
})
