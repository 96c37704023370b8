// The request log makes the text of a hot answer's line once and reuses it for every repeat of that
// answer (gateway/request-log.ts): with two hot answers repeated in turn, each line still names its own
// request's path, in the order the requests came, with its own status and duration.
import t from 'tap'
import { fetchText } from './helpers/sites.ts'
import { hotAnswersOf, KEYLESS_READS, publishBlob, startRoot } from './helpers/hub.ts'

t.test('two hot answers repeated in turn each log their own path', async (t) => {
  const root = await startRoot(t, { extra: KEYLESS_READS })
  const a = await publishBlob(root, 'acme/app', '1.0', Buffer.from('first hot answer '.repeat(50)))
  const b = await publishBlob(root, 'acme/app', '2.0', Buffer.from('second hot answer '.repeat(50)))
  await fetchText(root, a)
  await fetchText(root, b)
  t.equal((await hotAnswersOf(root))!.answers, 2, 'both answers are hot')

  const order = [a, b, a, a, b, b, a, b]
  for (const path of order) t.equal((await fetchText(root, path)).status, 200)
  const lines = await root.logs.waitFor((l) => l.msg === 'request' && (l.path === a || l.path === b), 2 + order.length)
  t.same(
    lines.slice(2).map((l) => l.path),
    order,
    'each repeat names its own path, in order',
  )
  for (const l of lines.slice(2)) {
    t.match(l, { method: 'GET', status: 200, route: 'hub', cache: 'hit' })
    t.type(l.ms, 'number')
  }
})
