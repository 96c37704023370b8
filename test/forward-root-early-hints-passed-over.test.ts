// An interim 1xx answer from the root (103 Early Hints, 102 Processing) is passed over: the client gets
// the final answer, and the root is not blamed for it.
import t from 'tap'
import { startChildWithOrigin } from './helpers/child-site.ts'
import { fetchText } from './helpers/sites.ts'

t.test('a 103 or 102 before the final answer does not break forwarding', async (t) => {
  const { site } = await startChildWithOrigin(t, 'hints', {
    clock: t.clock,
    handler: (req, res) => {
      if (req.url === '/hinted') res.writeEarlyHints({ link: '</style.css>; rel=preload; as=style' })
      else if (req.url === '/processing') res.writeProcessing()
      else return res.end('ok')
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'text/plain' })
        res.end(`the answer to ${req.url}`)
      }, 20)
    },
  })
  for (const path of ['/hinted', '/processing']) {
    const res = await fetchText(site, path)
    t.equal(res.status, 200, `${path}: the final status`)
    t.equal(res.body, `the answer to ${path}`, `${path}: the final body`)
  }
  t.equal(site.gw.rootHealth!.state, 'up')
  t.equal(site.gw.rootHealth!.breaker.lastError, undefined, 'no failure counted against the root')
  const lines = await site.logs.waitFor((l) => l.msg === 'request', 2)
  t.same(
    lines.map((l) => [l.path, l.status, l.error]),
    [
      ['/hinted', 200, undefined],
      ['/processing', 200, undefined],
    ],
    'logged as answered',
  )
})
