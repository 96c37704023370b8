// A cacheable miss reaches the client that caused the fill as the root sends it, while the entry is
// written (nginx's proxy_cache does the same): the root sends the first half of the body and holds the
// rest until the test has read the first bytes through the gateway. A cache that stored the whole body
// before answering never lets the test read them (the wait below fails after a bound). The answer
// carries a miss's head (Cache-Status `fwd=miss; stored`, Age; without `stored` when chunked, as its size
// is not known yet), and once it has ended the entry is in place: the next read is a hit with the whole
// body, the root asked once. With and without Content-Length.
import t from 'tap'
import { request } from 'undici'
import { cacheOf, startChildWithOrigin } from './helpers/child-site.ts'

const HALF = 256 * 1024
const pattern = (n: number, seed: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 7 + seed + (i >> 10)) % 251))
const BODY = pattern(2 * HALF, 3)
const BOUND = 10_000

/** `p`, or a rejection naming `what` after BOUND ms (so a cache that does not stream fails, not hangs). */
function within<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout
  return Promise.race([p, new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`no ${what} within ${BOUND} ms`)), BOUND)))]).finally(() => clearTimeout(timer))
}

t.test('a cacheable miss streams to its client while it is stored', async (t) => {
  const asked = new Map<string, number>()
  const releases: (() => void)[] = []
  t.teardown(() => releases.forEach((r) => r()))
  const { site } = await startChildWithOrigin(t, 'cache-stream', {
    extra: 'forward: { cache: { enabled: true, memoryBytes: 0 } }\n',
    handler: (req, res) => {
      const url = req.url!
      if (!url.startsWith('/api/')) return res.end('ok')
      asked.set(url, (asked.get(url) ?? 0) + 1)
      const sized = url.endsWith('/sized')
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'cache-control': 'max-age=600', ...(sized ? { 'content-length': BODY.length } : {}) })
      res.write(BODY.subarray(0, HALF))
      // The rest only once the test has read bytes of the first half through the gateway.
      new Promise<void>((r) => releases.push(r)).then(() => res.end(BODY.subarray(HALF)))
    },
  })

  for (const path of ['/api/v1/blobs/sized', '/api/v1/blobs/chunked']) {
    const ac = new AbortController()
    try {
      const res = await within(request(site.url + path, { dispatcher: site.agent, signal: ac.signal }), `head of ${path}`)
      t.equal(res.statusCode, 200)
      const claim = path.endsWith('/sized') ? /^cache-stream; fwd=miss; stored; ttl=\d+$/ : /^cache-stream; fwd=miss; ttl=\d+$/
      t.match(String(res.headers['cache-status']), claim, `${path}: a miss's Cache-Status`)
      t.equal(res.headers.age, '0', `${path}: its Age`)
      if (path.endsWith('/sized')) t.equal(res.headers['content-length'], String(BODY.length), 'the root\'s Content-Length')
      const it = res.body[Symbol.asyncIterator]()
      const first = (await within(it.next(), `first bytes of ${path}`)) as IteratorResult<Buffer>
      t.notOk(first.done, `${path}: first bytes arrived before the root sent the rest`)
      const chunks: Buffer[] = [first.value]
      releases.shift()!()
      for (;;) {
        const n = (await within(it.next(), `rest of ${path}`)) as IteratorResult<Buffer>
        if (n.done) break
        chunks.push(n.value)
      }
      t.ok(Buffer.concat(chunks).equals(BODY), `${path}: the whole body, in order`)
    } finally {
      ac.abort()
    }

    const again = await request(site.url + path, { dispatcher: site.agent })
    const body = Buffer.from(await again.body.arrayBuffer())
    t.match(String(again.headers['cache-status']), /; hit; /, `${path}: the next read is a hit`)
    t.ok(body.equals(BODY), `${path}: with the whole body`)
    t.equal(asked.get(path), 1, `${path}: the root was asked once`)
  }
  const c = cacheOf(site)
  t.equal(c.entries, 2)
  t.equal(c.miss, 2)
  t.equal(c.hit, 2)
})
