// The sync leader's status board built and serialized the whole status every second to see whether it
// had changed: ≈ 3 ms a second at 10,000 repositories, for nothing on a quiet site. It compares the
// status's change counter now: an unchanged second builds nothing and writes nothing, a change is
// written at the next second and read by a follower, and an unchanged status is still rewritten every
// 10 s so that followers can tell a live leader. Driven through the board's own tick on a real index,
// with a fake clock (no server is involved: the board talks only to the index).
import t from 'tap'
import { StatusBoard, type SyncSnapshot } from '../plugins/sync/status-board.ts'
import { SyncStatus } from '../plugins/sync/status.ts'
import { openTestStores } from './helpers/stores.ts'

t.test('an unchanged second builds no status; a change reaches the follower', async (t) => {
  const { index } = await openTestStores(t)
  const status = new SyncStatus(t.clock)
  let built = 0
  const snapshot = () => {
    built++
    return { entries: ['acme/*'], upstream: {}, repos: status.list(), bytesReceived: 0 }
  }
  const board = (holder: string, leading: boolean) => new StatusBoard(index, 'status/sync/test', { leading: () => leading, holder, snapshot, version: () => [status.changes], clock: t.clock })
  const leader = board('leader', true)
  const follower = board('follower', false)
  const seen = async (): Promise<SyncSnapshot | undefined> => (await follower.tick(), follower.leaders)

  status.syncing('acme/app', 100)
  const first = t.clock.now()
  await leader.tick()
  t.equal(built, 1, 'the first second writes the status')
  t.match(await seen(), { holder: 'leader', at: first, repos: [{ name: 'acme/app', state: 'syncing' }] }, 'and the follower reads it')

  for (let i = 0; i < 5; i++) {
    t.clock.advance(1000)
    await leader.tick()
  }
  t.equal(built, 1, 'five unchanged seconds build no status')
  t.equal((await seen())?.at, first, 'and write none')

  status.inSync('acme/app', 3, 7)
  t.clock.advance(1000)
  const changed = t.clock.now()
  await leader.tick()
  t.equal(built, 2, 'a change is built at the next second')
  t.match(await seen(), { at: changed, repos: [{ name: 'acme/app', state: 'in-sync', revision: 3, upstreamRevision: 7 }] }, 'and the follower sees it')

  t.clock.advance(9000)
  await leader.tick()
  t.equal(built, 2, 'unchanged for 9 s: still nothing')
  t.clock.advance(1000)
  await leader.tick()
  t.equal(built, 3, 'unchanged for 10 s: written again')
  t.equal((await seen())?.at, t.clock.now(), 'so the follower sees a live leader')
})
