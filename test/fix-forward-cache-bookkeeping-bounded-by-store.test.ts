// The cache's memory stays within what its store holds: the headers each URL's answers vary by were
// kept for every URL ever stored (varying or not) and never let go on eviction, and the bodies held in
// memory of entries evicted or replaced by a new body stayed there, counted in /health's memoryBytes.
// After many distinct URLs beyond diskBytes, and an answer replaced many times, /health shows neither.
import t from 'tap'
import { cacheOf, startChildWithOrigin } from './helpers/child-site.ts'
import { fetchText } from './helpers/sites.ts'

const BODY = 10_000
const BOUND = 100 * 1024 // nine entries of 10,000 bytes (each counted with 1 KiB of metadata)

t.test('Vary bookkeeping and bodies in memory stay within the entries stored', async (t) => {
  let version = 0
  const { site } = await startChildWithOrigin(t, 'cache-bookkeeping', {
    extra: `forward: { cache: { enabled: true, diskBytes: ${BOUND} } }\n`,
    handler: (req, res) => {
      const url = req.url!
      if (url === '/api/v1/changing') {
        // Revalidated at each read, and each time a new body: the entry is replaced.
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'cache-control': 'no-cache' })
        return res.end(Buffer.alloc(BODY, version++ % 256))
      }
      const varies = /[13579]$/.test(url)
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'cache-control': 'max-age=600', ...(varies ? { vary: 'Accept-Encoding' } : {}) })
      res.end(Buffer.alloc(BODY, url.length))
    },
  })
  for (let i = 0; i < 60; i++) t.equal((await fetchText(site, `/api/v1/blobs/${i}`)).status, 200)
  for (let i = 0; i < 20; i++) t.equal((await fetchText(site, '/api/v1/changing')).status, 200)

  const c = cacheOf(site)
  t.ok(c.entries > 0 && c.entries <= 9, `${c.entries} entries within diskBytes`)
  t.ok(c.varying >= 1, 'a varying URL is still stored')
  t.ok(c.varying <= c.entries, `Vary headers kept for ${c.varying} URLs, at most the ${c.entries} stored`)
  t.ok(c.memoryBytes <= c.entries * (BODY + 64), `${c.memoryBytes} bytes in memory: at most the bodies of the ${c.entries} entries`)
})
