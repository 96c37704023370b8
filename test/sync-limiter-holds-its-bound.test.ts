// The limiter behind sync and npm download slots never runs more than its size: a slot released while
// others wait goes to the first waiter, not to a caller that arrives before that waiter wakes.
import t from 'tap'
import { Limiter } from '../gateway/util/limiter.ts'

t.test('a release hands the slot to the first waiter; a newcomer waits its turn', async (t) => {
  const limiter = new Limiter(1)
  let active = 0
  let peak = 0
  const order: string[] = []
  const task = (name: string) => async () => {
    active++
    peak = Math.max(peak, active)
    order.push(name)
    await new Promise((r) => setImmediate(r))
    active--
  }
  const release = await limiter.acquire()
  const waiting = limiter.run(task('waiter'))
  release()
  const newcomer = limiter.run(task('newcomer')) // arrives before the waiter has woken up
  release() // a second call changes nothing
  await Promise.all([waiting, newcomer])
  t.equal(peak, 1, 'never two at once')
  t.same(order, ['waiter', 'newcomer'], 'in arrival order')
})
