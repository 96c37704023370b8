// The request log writes its lines into one buffer of bytes per batch. A line longer than a whole batch
// (a path of 120,000 bytes, in three-byte characters or in ASCII) is written on its own, whole,
// and in its place: after the lines before it, before the lines after it.
import t from 'tap'
import { LogCapture } from './helpers/sites.ts'
import { createLogger } from '../gateway/log.ts'
import { RequestLog } from '../gateway/request-log.ts'

t.test('a line longer than a batch comes whole, in order, among short ones', async (t) => {
  const destination = new LogCapture()
  const requests = new RequestLog(createLogger({ level: 'info', site: 'long', destination }), destination)
  const paths = ['/a/é', '/' + 'é€x'.repeat(13_400), '/b', '/' + '€'.repeat(40_000), '/' + 'y'.repeat(120_000), '/c']
  for (const p of paths) requests.write({ method: 'GET', path: p }, 200, 1)
  requests.flush()
  await new Promise((r) => setImmediate(r))
  t.ok(destination.text.endsWith('\n'), 'ends with a whole line')
  t.same(destination.lines().map((l) => l.path), paths, 'every line, each path exact, in order')
})
