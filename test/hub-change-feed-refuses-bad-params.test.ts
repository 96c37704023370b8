// The change feed's `since` and `limit` are decimal counts, given once: anything else is a 400 that names
// the parameter, never a silent default (an empty `since` read as 0 would replay the whole log).
import t from 'tap'
import { fetchText } from './helpers/sites.ts'
import { bearer, publish, startRoot } from './helpers/hub.ts'

t.test('malformed since or limit is refused with 400', async (t) => {
  const root = await startRoot(t)
  const h = bearer(root.read)
  t.equal((await publish(root, root.publish, 'acme/app', '1.0', 'one')).status, 201)
  const feed = (query: string) => fetchText(root, `/api/v1/federation/changes${query}`, { headers: h })

  for (const query of ['?since=', '?since=0x1', '?since=1e0', '?since=%20%201', '?since=1.5', '?since=-1', '?since=1&since=2', '?since=99999999999999999999']) {
    const r = await feed(query)
    t.equal(r.status, 400, `${query} is refused`)
    t.match(JSON.parse(r.body).error.message, /since/, 'the message names since')
  }
  for (const query of ['?limit=', '?limit=abc', '?limit=0', '?limit=-1', '?limit=2&limit=3']) {
    const r = await feed(`?since=0&${query.slice(1)}`)
    t.equal(r.status, 400, `${query} is refused`)
    t.match(JSON.parse(r.body).error.message, /limit/, 'the message names limit')
  }
  const ok = JSON.parse((await feed('?since=0&limit=1')).body)
  t.equal(ok.changes.length, 1, 'a good limit still pages')
  t.equal(ok.more, true)
  t.equal(JSON.parse((await feed('')).body).changes.length, 2, 'no since: from the start')
})
