// Property: with a maxWrite (a worker's 4 KiB, so that writes of several processes to one pipe never
// interleave), every write of the request log holds whole lines and at most maxWrite bytes, unless it is
// one line longer than that; together the writes hold every line, in order.
import { Writable } from 'node:stream'
import t from 'tap'
import fc from 'fast-check'
import { createLogger } from '../gateway/log.ts'
import { RequestLog } from '../gateway/request-log.ts'
import { holds } from './helpers/fuzz.ts'

const MAX = 4096
const segment = fc.constantFrom('x', 'é', '€', '\ud83d\ude00', '/')
const path = fc.tuple(fc.array(segment, { maxLength: 40 }), fc.nat({ max: 6000 })).map(([s, n]) => '/' + s.join('') + 'p'.repeat(n % 3 === 0 ? n : n % 300))

t.test('each write: whole lines, within maxWrite unless one long line; all lines in order', async (t) => {
  let writes: Buffer[] = []
  // A destination that says its writes may hold at most MAX bytes (as a worker's standard output does).
  const destination = Object.assign(
    new Writable({
      write(chunk: Buffer, _enc, done) {
        writes.push(chunk)
        done()
      },
    }),
    { maxWrite: MAX },
  )
  await holds(
    t,
    'whole lines within maxWrite',
    fc.asyncProperty(fc.array(path, { minLength: 1, maxLength: 120 }), async (paths) => {
      writes = []
      const log = new RequestLog(createLogger({ level: 'info', site: 'w', destination }), destination)
      for (const p of paths) log.write({ method: 'GET', path: p }, 200, 1)
      log.flush()
      await new Promise((r) => setImmediate(r))
      const whole = writes.every((w) => w.at(-1) === 0x0a && (w.length <= MAX || w.indexOf(0x0a) === w.length - 1))
      const got = Buffer.concat(writes).toString().split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { path: string }).path)
      return whole && JSON.stringify(got) === JSON.stringify(paths)
    }),
    300,
  )
})
