// A request line's `ms` is the request's duration rounded to hundredths of a millisecond, from the shortest
// durations to hours.
import { Writable } from 'node:stream'
import t from 'tap'
import { createLogger } from '../gateway/log.ts'
import { RequestLog } from '../gateway/request-log.ts'

t.test('ms is the duration in hundredths of a millisecond, short or long', async (t) => {
  const lines: string[] = []
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean))
      done()
    },
  })
  const log = new RequestLog(createLogger({ level: 'info', site: 'ms', destination }), destination)
  const durations: [number, number][] = [
    [0, 0],
    [0.004, 0],
    [0.005, 0.01],
    [0.126, 0.13],
    [1.5, 1.5],
    [12.345, 12.35],
    [99.994, 99.99],
    [99.996, 100],
    [1234.5678, 1234.57],
    // Hours: a tunnel is logged when it closes.
    [7_200_000.125, 7_200_000.13],
    [25_000_000.5, 25_000_000.5],
  ]
  // Twice each: the second time the short ones come from the table.
  for (const round of [1, 2]) {
    for (const [ms] of durations) log.write({ method: 'GET', path: `/r${round}` }, 200, ms)
  }
  log.flush()
  await new Promise((r) => setImmediate(r))
  const got = lines.map((l) => JSON.parse(l) as { ms: number; path: string })
  t.equal(got.length, durations.length * 2, 'one line per write')
  t.same(
    got.map((l) => l.ms),
    [...durations, ...durations].map(([, want]) => want),
  )
  t.ok(lines.every((l) => /"ms":\d+(\.\d{1,2})?,/.test(l)), 'never more than two decimals')
})
