// A scheduled exchange that fails is retried with the backoff, and the link's status shows the next try.
// An exchange run on demand (`LinkEngine.exchange()`: tests, the admin page, an operator's sync) that
// failed recorded the failure without a next try and arranged no retry: the link waited for its
// interval. Every failure now goes through the one backoff path, and a link keeps one retry timer
// however many failures arrive while a retry is due.
import t from 'tap'
import { linkStatus, startLinked } from './helpers/links.ts'
import { tempDir } from './helpers/sites.ts'

t.test('an explicit exchange that fails schedules the retry by the backoff', async (t) => {
  const dir = tempDir(t)
  const tokyo = await startLinked(t, 'tokyo', { dir, owns: ['tokyo/*'] })
  const token = (await tokyo.links.create({ name: 'london', repositories: ['tokyo/*'], mode: 'pull' })).token
  await tokyo.gw.close()
  // London's clock moves only when the test moves it; no stream, so only the exchanges counted here run.
  const london = await startLinked(t, 'london', { dir, owns: ['london/*'], clock: t.clock, hub: 'stream: { enabled: false }', links: [{ name: 'london', url: tokyo.url, token, mode: 'pull', repositories: ['tokyo/*'], interval: '1h', extra: '    retry: 10s\n' }] })
  const engine = london.engine('london')
  const failures = () => london.logs.lines().filter((l) => l.msg === 'link exchange failed').length
  const nextTryIn = (ms: number) => new Date(t.clock.now() + ms).toISOString()

  await t.rejects(engine.exchange(), 'tokyo is down: the exchange fails')
  t.equal((await linkStatus(london, 'outgoing')).failing?.nextTry, nextTryIn(10_000), 'the status shows the next try, after the first backoff')

  await t.rejects(engine.exchange(), 'and again, while the retry is due')
  t.equal((await linkStatus(london, 'outgoing')).failing?.nextTry, nextTryIn(20_000), 'the backoff doubles')
  t.equal(failures(), 2)

  // Every timer due by then fires: the one retry, not one per failure (nor the start's exchange).
  t.clock.advance(20_000)
  // Runs after any exchange those timers started: it waits for the one running.
  await t.rejects(engine.exchange())
  t.equal(failures(), 4, 'one retry ran, then the explicit exchange')
  t.equal((await linkStatus(london, 'outgoing')).failing?.nextTry, nextTryIn(80_000), 'the backoff went on doubling: one failure each')
})
