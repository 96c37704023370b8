// With every connection to the root taken, a forwarded request used to wait in undici's queue with no
// deadline, and was still sent long after its client had given up. It now waits at most
// forward.timeouts.queue (the fake clock here), then gets 503 GW_ERR_FORWARD_BUSY with Retry-After, is
// never sent to the root, and says nothing against the root's health.
import t from 'tap'
import type http from 'node:http'
import { request } from 'undici'
import { fetchText } from './helpers/sites.ts'
import { startChildWithOrigin } from './helpers/child-site.ts'
import { waitFor } from './helpers/sync.ts'

t.test('a request queued for a root connection gets 503 at its deadline and never reaches the root', async (t) => {
  const held: http.ServerResponse[] = []
  t.teardown(() => held.forEach((r) => r.destroy()))
  const { origin, site } = await startChildWithOrigin(t, 'quito', {
    clock: t.clock,
    extra: 'forward: { connections: 1, timeouts: { queue: 3s } }\n',
    handler: (req, res) => {
      if (req.url !== '/held') return res.end('ok')
      // The head and a first chunk, then the body stays open: the only connection stays taken.
      res.writeHead(200, { 'content-type': 'text/plain' })
      res.write('first')
      held.push(res)
    },
  })
  const waiting = () => (site.gw.health().forward as { connections: { waiting: number } }).connections.waiting

  const first = await request(site.url + '/held', { dispatcher: site.agent })
  t.equal(first.statusCode, 200, 'the only connection is taken by an answer still streaming')
  const queued = fetchText(site, '/queued')
  await waitFor('the second request to wait for a connection', () => waiting() === 1)
  t.clock.advance(3000)
  const busy = await queued
  t.equal(busy.status, 503, 'answered 503 at its deadline')
  t.equal(JSON.parse(busy.body).error.code, 'GW_ERR_FORWARD_BUSY')
  t.ok(Number(busy.headers['retry-after']) >= 1, 'with Retry-After')
  t.equal(waiting(), 0, 'it left the line')
  t.equal(site.gw.rootHealth!.state, 'up', 'a full pool here is not the root failing')

  // The connection comes free: the next request goes, and the one that timed out never went.
  held[0]!.end()
  await first.body.dump()
  t.equal((await fetchText(site, '/next')).status, 200, 'a later request reaches the root')
  t.same(
    origin.seen.map((s) => s.url).filter((u) => u !== '/health'), // the probe's fake-clock tick
    ['/held', '/next'],
    'the root never saw the request that timed out',
  )
  const [line] = await site.logs.waitFor((l) => l.msg === 'request' && l.path === '/queued')
  t.match(line, { status: 503, error: 'GW_ERR_FORWARD_BUSY' }, 'logged with its code')
})
