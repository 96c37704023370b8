// A plain GET of a blob the hub served from memory is repeated (docs/lifecycle.md, step 1): the repeat
// carries the same status, headers and bytes as the first answer, and logs the same request line.
import t from 'tap'
import { fetchText } from './helpers/sites.ts'
import { hotAnswersOf, KEYLESS_READS, publishBlob, startRoot } from './helpers/hub.ts'
import { sha256 } from './helpers/stores.ts'

t.test('a repeated blob GET gets the first answer again, with the same log line', async (t) => {
  const root = await startRoot(t, { extra: KEYLESS_READS })
  const bytes = Buffer.from('hot answer '.repeat(100))
  const path = await publishBlob(root, 'acme/app', '1.0', bytes)
  const hot = async () => (await hotAnswersOf(root))!

  t.same(await hot(), { answers: 0, bytes: 0 }, 'nothing offered yet')
  const first = await fetchText(root, path)
  t.equal(first.status, 200)
  t.equal((await hot()).answers, 1, 'the whole answer from memory was offered')
  const answers = [first]
  for (let i = 0; i < 3; i++) answers.push(await fetchText(root, path))
  t.equal((await hot()).answers, 1, 'still one: the repeats use it')
  const shape = (r: (typeof answers)[number]) => ({
    status: r.status,
    body: r.body,
    etag: r.headers.etag,
    length: r.headers['content-length'],
    type: r.headers['content-type'],
    caching: r.headers['cache-control'],
    ranges: r.headers['accept-ranges'],
  })
  for (const r of answers.slice(1)) t.same(shape(r), shape(first), 'same status, headers and bytes')
  t.equal(first.body, bytes.toString())
  t.equal(first.headers.etag, `"sha256:${sha256(bytes)}"`)

  const lines = await root.logs.waitFor((l) => l.msg === 'request' && l.path === path, 4)
  t.equal(lines.length, 4, 'one line per answer')
  for (const l of lines) {
    t.match(l, { level: 'info', method: 'GET', path, status: 200, route: 'hub', cache: 'hit' })
    t.type(l.ms, 'number')
  }
  const fields = (l: Record<string, unknown>) => Object.keys(l).filter((k) => k !== 'time' && k !== 'ms').sort()
  for (const l of lines.slice(1)) t.same(fields(l), fields(lines[0]!), 'a repeat logs the same fields')
})
