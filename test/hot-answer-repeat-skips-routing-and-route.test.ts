// A repeat (docs/lifecycle.md, step 1) is answered before routing and the route run: once a blob's
// answer was offered, later plain GETs of it never reach the hub's routes (counted by wrapping them),
// while a GET that may not be repeated (a Range) still does. (The guard runs before routing: a target
// that passed it once passes it again, so skipping it is seen only as routing being skipped.)
import t from 'tap'
import { countingRoutes, fetchText } from './helpers/sites.ts'
import { KEYLESS_READS, publishBlob, startRoot } from './helpers/hub.ts'

t.test('repeats skip routing and the route', async (t) => {
  const { plugins, matched, handled } = countingRoutes('hub')
  const root = await startRoot(t, { extra: KEYLESS_READS, plugins })
  const bytes = Buffer.from('answered once by the route '.repeat(20))
  const path = await publishBlob(root, 'acme/app', '1.0', bytes)

  t.equal((await fetchText(root, path)).body, bytes.toString(), 'the first GET is answered by the route')
  t.equal(handled.get(path), 1, 'the hub route handled it')
  const asked = matched.get(path)!
  t.ok(asked >= 1, 'routing asked the hub routes')

  for (let i = 0; i < 5; i++) t.equal((await fetchText(root, path)).body, bytes.toString(), `repeat ${i + 1}: the whole blob`)
  t.equal(handled.get(path), 1, 'no repeat reached the route')
  t.equal(matched.get(path), asked, 'no repeat was routed')

  // What may not be repeated takes the whole path, as before.
  t.equal((await fetchText(root, path, { headers: { range: 'bytes=0-7' } })).status, 206)
  t.equal(handled.get(path), 2, 'a Range request reached the route')
})
