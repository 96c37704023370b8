import t from 'tap'
import { request } from 'undici'
import { startOrigin, startSite, childYaml, writeSecret, tempDir } from './helpers/sites.ts'

t.test('a large body reaches the client whole, the root held back while the client reads slowly', async (t) => {
  const size = 8 * 1024 * 1024
  const origin = await startOrigin(t, (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': size })
    res.end(Buffer.alloc(size, 7))
  })
  const dir = tempDir(t)
  writeSecret(dir, 'root.key', 'fgk_test_' + 'b'.repeat(32))
  const site = await startSite(t, childYaml('tokyo', origin.url), { dir })
  const res = await request(site.url + '/big', { dispatcher: site.agent })
  let got = 0
  let slow = 0
  for await (const chunk of res.body as AsyncIterable<Buffer>) {
    got += chunk.length
    if (slow++ < 20) await new Promise((r) => setTimeout(r, 5)) // a slow start fills the buffers
  }
  t.equal(res.statusCode, 200)
  t.equal(got, size, 'every byte arrived')
})
