// /metrics shows the forward cache at work (scraped through the site's TLS listener with an admin key):
// a first read is a miss that stores an entry (its bytes counted against the disk bound), the same
// read again a hit; the counters are _total counters, the sizes and bounds gauges in bytes.
import t from 'tap'
import { startChildWithOrigin } from './helpers/child-site.ts'
import { fetchText } from './helpers/sites.ts'
import { adminKeyOf, bearer } from './helpers/hub.ts'
import { scrape } from './helpers/metrics.ts'

const BODY = 'x'.repeat(5000)

t.test('/metrics counts a forward cache miss, then a hit', async (t) => {
  let asked = 0
  const { site } = await startChildWithOrigin(t, 'metrics-cache', {
    extra: 'forward: { cache: { enabled: true, diskBytes: 10MiB, memoryBytes: 1MiB } }\n',
    handler: (req, res) => {
      if (req.url!.startsWith('/files/')) asked++
      res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'public, max-age=300' })
      res.end(BODY)
    },
  })
  const admin = bearer(await adminKeyOf(site))
  const get = () => scrape(`${site.url}/metrics`, { dispatcher: site.agent, headers: admin })

  const before = await get()
  for (const [name, type] of [
    ['fedgate_forward_cache_hits_total', 'counter'],
    ['fedgate_forward_cache_misses_total', 'counter'],
    ['fedgate_forward_cache_revalidations_total', 'counter'],
    ['fedgate_forward_cache_stale_answers_total', 'counter'],
    ['fedgate_forward_cache_not_stored_total', 'counter'],
    ['fedgate_forward_cache_entries', 'gauge'],
    ['fedgate_forward_cache_bytes', 'gauge'],
    ['fedgate_forward_cache_limit_bytes', 'gauge'],
    ['fedgate_forward_cache_memory_bytes', 'gauge'],
    ['fedgate_forward_cache_memory_limit_bytes', 'gauge'],
  ]) t.equal(before.types.get(name!), type, `${name} is a ${type}`)
  t.equal(before.value('fedgate_forward_cache_hits_total'), 0)
  t.equal(before.value('fedgate_forward_cache_misses_total'), 0)
  t.equal(before.value('fedgate_forward_cache_entries'), 0)
  t.equal(before.value('fedgate_forward_cache_limit_bytes'), 10 * 1024 * 1024, 'the disk bound, in bytes')
  t.equal(before.value('fedgate_forward_cache_memory_limit_bytes'), 1024 * 1024, 'the memory bound, in bytes')

  t.equal((await fetchText(site, '/files/a.txt')).body, BODY)
  const missed = await get()
  t.equal(missed.value('fedgate_forward_cache_misses_total'), 1, 'a miss')
  t.equal(missed.value('fedgate_forward_cache_hits_total'), 0, 'no hit yet')
  t.equal(missed.value('fedgate_forward_cache_entries'), 1, 'one entry stored')
  t.ok(missed.value('fedgate_forward_cache_bytes')! >= BODY.length, 'its bytes counted on disk')
  t.ok(missed.value('fedgate_forward_cache_memory_bytes')! >= BODY.length, 'and in memory (a small body)')

  t.equal((await fetchText(site, '/files/a.txt')).body, BODY)
  const hit = await get()
  t.equal(hit.value('fedgate_forward_cache_hits_total'), 1, 'then a hit')
  t.equal(hit.value('fedgate_forward_cache_misses_total'), 1, 'no new miss')
  t.equal(asked, 1, 'the root was asked once')
})
