import t from 'tap'
import { request } from 'undici'
import { startOrigin, startSite, childYaml, writeSecret, tempDir } from './helpers/sites.ts'

t.test('a client that leaves mid-body cancels the root request, without counting against the root', async (t) => {
  let upstreamClosed!: () => void
  const closed = new Promise<void>((r) => (upstreamClosed = r))
  let ticker: NodeJS.Timeout | undefined
  t.teardown(() => clearInterval(ticker))
  const origin = await startOrigin(t, (req, res) => {
    if (!req.url?.startsWith('/stream')) return res.end('ok')
    res.writeHead(200, { 'content-type': 'application/octet-stream' })
    res.write(Buffer.alloc(1024))
    // A body that never ends; bounded by the teardown and by the client leaving.
    ticker = setInterval(() => res.write(Buffer.alloc(1024)), 20)
    res.on('close', () => {
      clearInterval(ticker)
      upstreamClosed()
    })
  })
  const dir = tempDir(t)
  writeSecret(dir, 'root.key', 'fgk_test_' + 'a'.repeat(32))
  const site = await startSite(t, childYaml('tokyo', origin.url), { dir })

  const res = await request(site.url + '/stream', { dispatcher: site.agent })
  t.equal(res.statusCode, 200)
  for await (const _chunk of res.body) break // first chunk, then leave
  await closed
  t.pass('the root saw its request closed')
  t.equal(site.gw.rootHealth!.state, 'up', 'a client leaving is not the root failing')
  // The request line is written when the client's response closes: poll for it, bounded.
  let line: Record<string, unknown> | undefined
  for (let i = 0; i < 100 && !line; i++) {
    line = site.logs.lines().find((l) => l.path === '/stream')
    if (!line) await new Promise((r) => setTimeout(r, 20))
  }
  t.equal(line?.status, 499, 'logged as the client closing the request')
})
