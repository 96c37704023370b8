// A duration longer than Node's longest timer (2^31-1 ms, about 24.8 days) made the timer fire after
// 1 ms: `sync.interval: 600h` ran sync rounds back to back. Long waits are now taken in steps.
import t from 'tap'
import { setTimeout as sleep } from 'node:timers/promises'
import { tempDir } from './helpers/sites.ts'
import { startRoot, startChild, publish, inSync, blobBytes } from './helpers/sync.ts'
import { systemClock } from '../gateway/util/clock.ts'

t.test('a 25-day timer does not fire at once, and can be cleared', async (t) => {
  let fired = 0
  const long = systemClock.setTimeout(() => fired++, 25 * 24 * 3600 * 1000)
  await sleep(200)
  t.equal(fired, 0, 'not fired')
  systemClock.clearTimeout(long)
  let short = 0
  systemClock.setTimeout(() => short++, 10)
  await sleep(100)
  t.equal(short, 1, 'a short timer still fires once')
})

t.test('sync.interval: 600h does not run rounds back to back', async (t) => {
  const dir = tempDir(t)
  const root = await startRoot(t, dir)
  await publish(root, 'acme/app:1.0', blobBytes(100, 1))
  const child = await startChild(t, dir, 'child', root.url, root.readKey, 'repositories: [acme/app]\nsync: { interval: 600h, stream: { enabled: false } }\n')
  await inSync(child, 'acme/app')
  const asks = () => root.logs.lines().filter((l) => l.msg === 'request' && String(l.path).startsWith('/api/v1/')).length
  await sleep(300)
  const before = asks()
  await sleep(1000)
  t.equal(asks(), before, 'no round ran in the second after the first')
})
