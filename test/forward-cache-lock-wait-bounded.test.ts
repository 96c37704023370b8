// A request waiting for another's root request for the same entry waits at most forward.cache.lockTimeout,
// then goes to the root on its own (uncached), as nginx's proxy_cache_lock_timeout.
import t from 'tap'
import { cacheOf, startChildWithOrigin } from './helpers/child-site.ts'
import { fetchText } from './helpers/sites.ts'

t.test('the wait for a shared root request is bounded', async (t) => {
  let asked = 0
  let releaseFirst: () => void = () => {}
  const first = new Promise<void>((r) => (releaseFirst = r))
  const { site } = await startChildWithOrigin(t, 'cache-lock', {
    clock: t.clock,
    extra: 'forward: { cache: { enabled: true, lockTimeout: 2s } }\n',
    handler: (req, res) => {
      if (!req.url!.startsWith('/api/')) return res.end('ok')
      const n = ++asked
      const answer = () => {
        res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'max-age=600' })
        res.end(`answer ${n}`)
      }
      if (n === 1) void first.then(answer)
      else answer()
    },
  })
  const path = '/api/v1/repos/acme/slow'
  const filling = fetchText(site, path)
  for (let i = 0; i < 200 && asked < 1; i++) await new Promise((r) => setTimeout(r, 20))
  const waiting = fetchText(site, path)
  for (let i = 0; i < 200 && cacheOf(site).waiting < 1; i++) await new Promise((r) => setTimeout(r, 20))
  t.equal(cacheOf(site).waiting, 1, 'the second request waits for the first one\'s')
  t.clock.advance(1999)
  await new Promise((r) => setTimeout(r, 50))
  t.equal(asked, 1, 'still waiting before lockTimeout')
  t.clock.advance(1)
  const alone = await waiting
  t.equal(alone.body, 'answer 2', 'after lockTimeout it asked the root itself')
  t.notOk(alone.headers['cache-status'], 'uncached')
  t.equal(cacheOf(site).alone, 1)
  releaseFirst()
  t.equal((await filling).body, 'answer 1', 'the first request still fills the entry')
  t.equal((await fetchText(site, path)).body, 'answer 1', 'which later requests get')
})
