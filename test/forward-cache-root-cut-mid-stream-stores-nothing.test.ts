// The root drops the connection after a cacheable miss began to stream to its client: that client's
// answer is cut (as an uncached forward's is), the request log says why, nothing is stored, and the next
// read asks the root again. The root sends the first half, then waits until the test has read bytes of
// it through the gateway (bounded: a cache that does not stream fails here), then cuts.
import t from 'tap'
import { request } from 'undici'
import { cacheOf, startChildWithOrigin } from './helpers/child-site.ts'

const HALF = 128 * 1024
const BOUND = 10_000

function within<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout
  return Promise.race([p, new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`no ${what} within ${BOUND} ms`)), BOUND)))]).finally(() => clearTimeout(timer))
}

t.test('a streaming miss cut by the root is cut for its client and never stored', async (t) => {
  let asked = 0
  const releases: (() => void)[] = []
  t.teardown(() => releases.forEach((r) => r()))
  const { site } = await startChildWithOrigin(t, 'cache-stream-cut', {
    extra: 'forward: { cache: { enabled: true } }\n',
    handler: (req, res) => {
      if (!req.url!.startsWith('/api/')) return res.end('ok')
      asked++
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'cache-control': 'max-age=600', 'content-length': 2 * HALF })
      if (asked > 1) return res.end(Buffer.alloc(2 * HALF, 2))
      res.write(Buffer.alloc(HALF, 1))
      new Promise<void>((r) => releases.push(r)).then(() => res.socket?.destroy())
    },
  })
  const path = '/api/v1/blobs/cut'
  const ac = new AbortController()
  try {
    const res = await within(request(site.url + path, { dispatcher: site.agent, signal: ac.signal }), 'head')
    t.equal(res.statusCode, 200, 'the head was sent')
    const it = res.body[Symbol.asyncIterator]()
    const first = (await within(it.next(), 'first bytes')) as IteratorResult<Buffer>
    t.notOk(first.done, 'the first bytes arrived')
    let got = first.value.length
    releases.shift()!()
    const outcome = await within(
      (async () => {
        for (;;) {
          const n = (await it.next()) as IteratorResult<Buffer>
          if (n.done) return 'ended'
          got += n.value.length
        }
      })().catch(() => 'cut'),
      'end of the answer',
    )
    t.equal(outcome, 'cut', 'the client\'s answer is cut')
    t.ok(got < 2 * HALF, 'never the whole length')
  } finally {
    ac.abort()
  }
  const [line] = await site.logs.waitFor((l) => l.msg === 'request' && l.path === path)
  t.equal(line?.error, 'GW_ERR_ROOT_BAD_RESPONSE', 'the request log says the root failed')
  t.equal(cacheOf(site).entries, 0, 'nothing stored')

  const again = await request(site.url + path, { dispatcher: site.agent })
  const body = Buffer.from(await again.body.arrayBuffer())
  t.equal(asked, 2, 'the next read asked the root')
  t.match(String(again.headers['cache-status']), /fwd=miss/)
  t.equal(body.length, 2 * HALF, 'and got the whole answer')
})
