// The cache holds at most forward.cache.diskBytes of bodies, least recently used out first: on disk too
// (an evicted entry's files are removed), and an evicted entry is no longer served.
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { cacheOf, startChildWithOrigin } from './helpers/child-site.ts'
import { fetchText } from './helpers/sites.ts'

const BODY = 30_000
const BOUND = 100 * 1024 // three entries of 30,000 bytes (each counted with 1 KiB of metadata), not four

function bodiesOnDisk(dir: string): number[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.body') && !f.startsWith('tmp'))
    .map((f) => statSync(join(dir, f)).size)
}

t.test('the cache stays within diskBytes, least recently used out first', async (t) => {
  const { origin, site } = await startChildWithOrigin(t, 'cache-bound', {
    extra: `forward: { cache: { enabled: true, diskBytes: ${BOUND} } }\n`,
    handler: (req, res) => {
      if (!req.url!.startsWith('/api/')) return res.end('ok')
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'cache-control': 'max-age=600' })
      res.end(Buffer.alloc(BODY, req.url!.slice(-1)))
    },
  })
  const get = (name: string) => fetchText(site, `/api/v1/blobs/${name}`)
  for (const name of ['a', 'b', 'c']) t.equal((await get(name)).status, 200)
  t.match((await get('a')).headers['cache-status'], /hit/, 'a is used again: b is now the least recently used')
  // Each new entry pushes the least recently used one out; a, read after each, stays.
  for (const name of ['d', 'e', 'f']) {
    t.equal((await get(name)).status, 200)
    t.match((await get('a')).headers['cache-status'], /hit/, `a is still held after ${name}`)
  }

  const cache = cacheOf(site)
  t.ok(cache.bytes <= BOUND, `counted bytes ${cache.bytes} within ${BOUND}`)
  t.equal(cache.entries, 3)
  const dir = join(site.dir, '.fedgate', 'cache-bound', 'forward-cache')
  let sizes = bodiesOnDisk(dir)
  for (let i = 0; i < 500 && sizes.length > 3; i++) {
    await new Promise((r) => setTimeout(r, 20))
    sizes = bodiesOnDisk(dir)
  }
  t.equal(sizes.length, 3, 'evicted bodies are removed from disk')
  t.ok(sizes.reduce((a, b) => a + b, 0) <= BOUND, 'bytes on disk within the bound')

  await origin.close()
  const served = []
  for (const name of ['a', 'b', 'c', 'd', 'e', 'f']) if ((await get(name)).status === 200) served.push(name)
  t.same(served, ['a', 'e', 'f'], 'the most recently used are kept')
})
