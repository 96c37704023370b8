// A page of the peer's log that is malformed fails the exchange naming the problem, and nothing of it
// is applied: a change whose publish time is not a time (compared as text, "zzz" would win here over
// every other site's value for ever) was applied; a page that says there is more but does not move
// on was read again and again, up to 100 000 requests in one exchange.
import t from 'tap'
import { createHash } from 'node:crypto'
import { startLinked } from './helpers/links.ts'
import { fetchText, startOrigin, tempDir } from './helpers/sites.ts'

const LINK = '/api/v1/federation/link'

t.test('a malformed page from the peer fails the exchange, nothing applied', async (t) => {
  const bytes = 'london bytes'
  const id = createHash('sha256').update(bytes).digest('hex')
  const at = new Date().toISOString()
  let page: object = {}
  let pagesRead = 0
  const peer = await startOrigin(t, (req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(JSON.stringify(body))
    }
    req.resume()
    if (req.url === `${LINK}/hello`) return send(200, { site: 'london', owns: [], link: { name: 'tokyo', mode: 'pull', actions: { download: true, upload: false, deleteDownloaded: true, deleteUploaded: false }, repositories: ['london/*'] }, store: 'S', revision: 5 })
    if (req.url?.startsWith(`${LINK}/changes?`)) {
      // Enough to tell "read again and again" from "refused at once", without 100 000 requests.
      if (++pagesRead > 20) return send(500, { error: { code: 'GW_ERR_INTERNAL', message: 'enough' } })
      return send(200, page)
    }
    if (req.url === `/api/v1/blobs/sha256:${id}`) {
      res.writeHead(200, { 'content-type': 'application/octet-stream' })
      return res.end(bytes)
    }
    send(404, { error: { code: 'GW_ERR_NOT_FOUND', message: 'no' } })
  })
  const dir = tempDir(t)
  const tokyo = await startLinked(t, 'tokyo', { dir, owns: ['tokyo/*'], links: [{ name: 'london', url: peer.url, token: 'fgk_0123456789abcdef_' + 'a'.repeat(43), mode: 'pull', repositories: ['london/*'] }] })
  const exchange = () => tokyo.engine('london').exchange().then(() => 'ok', (err: Error) => err.message)

  page = { store: 'S', revision: 5, next: 5, more: false, changes: [{ rev: 1, repo: 'london/a', op: 'tag', tag: '1.0', image: { id, size: bytes.length, createdAt: at }, at: 'zzz', origin: 'london', originRev: 1 }] }
  t.match(await exchange(), /at "zzz" is not an ISO 8601 time/, 'a change with a publish time that is no time')
  t.equal((await fetchText(tokyo, '/api/v1/repos/london/a')).status, 404, 'nothing of the page applied')

  pagesRead = 0
  page = { store: 'S', revision: 5, next: 0, more: true, changes: [] }
  t.match(await exchange(), /next/, 'a page that says there is more and does not move on')
  t.equal(pagesRead, 1, 'is refused at once, not read again')
})
