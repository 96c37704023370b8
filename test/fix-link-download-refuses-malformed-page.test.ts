// A page of the peer's log that is malformed fails the exchange naming the problem, and nothing of it
// is applied: a change whose publish time is not a time (compared as text, "zzz" would win here over
// every other site's value for ever) was applied; a page that says there is more but does not move
// on was read again and again, up to 100 000 requests in one exchange.
import t from 'tap'
import { createHash } from 'node:crypto'
import { startPullFromFakePeer } from './helpers/links.ts'
import { fetchText } from './helpers/sites.ts'
import { LINK_PREFIX } from '../plugins/federation/wire.ts'

t.test('a malformed page from the peer fails the exchange, nothing applied', async (t) => {
  const bytes = 'london bytes'
  const id = createHash('sha256').update(bytes).digest('hex')
  const at = new Date().toISOString()
  let page: object = {}
  let pagesRead = 0
  const { tokyo } = await startPullFromFakePeer(t, bytes, (url) => {
    if (!url.startsWith(`${LINK_PREFIX}/changes?`)) return undefined
    // Enough to tell "read again and again" from "refused at once", without 100 000 requests.
    return ++pagesRead > 20 ? { status: 500, body: { error: { code: 'GW_ERR_INTERNAL', message: 'enough' } } } : { status: 200, body: page }
  })
  const exchange = () => tokyo.engine('london').exchange().then(() => 'ok', (err: Error) => err.message)

  page = { store: 'S', revision: 5, next: 5, more: false, changes: [{ rev: 1, repo: 'london/a', op: 'tag', tag: '1.0', image: { id, size: bytes.length, createdAt: at }, at: 'zzz', origin: 'london', originRev: 1 }] }
  t.match(await exchange(), /at "zzz" is not an ISO 8601 time/, 'a change with a publish time that is no time')
  t.equal((await fetchText(tokyo, '/api/v1/repos/london/a')).status, 404, 'nothing of the page applied')

  pagesRead = 0
  page = { store: 'S', revision: 5, next: 0, more: true, changes: [] }
  t.match(await exchange(), /next/, 'a page that says there is more and does not move on')
  t.equal(pagesRead, 1, 'is refused at once, not read again')
})
