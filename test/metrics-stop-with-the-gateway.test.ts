// prom-client's default metrics start an event-loop-delay monitor (it wakes the process every 10 ms) and a
// GC observer; a closed gateway stops them. A site started, scraped and closed in a child process leaves
// the main thread asleep: it wakes a few times in an idle second, not about a hundred (Linux: voluntary
// context switches of the main thread), and the process exits by itself.
import t from 'tap'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { tempDir } from './helpers/sites.ts'

const CHILD = fileURLToPath(new URL('./helpers/wakeups-after-close.ts', import.meta.url))

t.test('a closed gateway leaves no metrics monitor waking the process', { skip: !existsSync('/proc/self/task') && 'needs Linux /proc' }, async (t) => {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, tempDir(t)], { stdio: ['ignore', 'pipe', 'inherit'] })
  t.teardown(() => void child.kill('SIGKILL'))
  let out = ''
  child.stdout.on('data', (c: Buffer) => (out += c.toString()))
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
  const [code] = (await once(child, 'exit')) as [number | null]
  clearTimeout(timer)
  t.equal(code, 0, 'the child exits by itself once the site is closed')
  const got = JSON.parse(out) as { scraped: boolean; wakeups: number }
  t.ok(got.scraped, 'the default metrics ran (the event-loop lag was scraped)')
  // The monitor alone wakes it ~100 times a second; a generous bound for anything else.
  t.ok(got.wakeups < 30, `the main thread woke ${got.wakeups} times in an idle second after the close`)
})
