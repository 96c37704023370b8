// When `hotAnswers.bytes` is full, the answer used least recently goes first and one just repeated stays:
// which answers are still kept is seen from outside by counting the hub route's answers (a kept answer is
// repeated without reaching the route; one that went is answered by the route again).
import t from 'tap'
import { countingRoutes, fetchText } from './helpers/sites.ts'
import { hotAnswersOf, KEYLESS_READS, publishBlob, startRoot } from './helpers/hub.ts'

t.test('the least recently used answer goes first, a recently used one stays', async (t) => {
  const { plugins, handled } = countingRoutes('hub')
  // Room for two 1,000-byte answers (each weighs its body, its target and 256), not three.
  const root = await startRoot(t, { extra: `${KEYLESS_READS}hotAnswers: { bytes: 3000 }\n`, plugins })
  const [a, b, c] = ['a', 'b', 'c'].map((ch) => Buffer.alloc(1000, ch)) as [Buffer, Buffer, Buffer]
  const pa = await publishBlob(root, 'acme/app0', '1.0', a)
  const pb = await publishBlob(root, 'acme/app1', '1.0', b)
  const pc = await publishBlob(root, 'acme/app2', '1.0', c)
  const get = async (path: string, bytes: Buffer) => t.equal((await fetchText(root, path)).body, bytes.toString(), `${path}: the whole blob`)
  const routed = () => [pa, pb, pc].map((p) => handled.get(p) ?? 0)

  await get(pa, a) // a offered
  await get(pb, b) // b offered, now the most recent
  t.same(routed(), [1, 1, 0])
  t.equal((await hotAnswersOf(root))?.answers, 2, 'both kept')

  await get(pa, a) // a repeated: now the most recent, b the least
  t.same(routed(), [1, 1, 0], 'a was repeated, not routed')
  await get(pc, c) // c offered: one must go
  t.same(routed(), [1, 1, 1])
  t.equal((await hotAnswersOf(root))?.answers, 2, 'one pushed out')

  await get(pa, a)
  t.same(routed(), [1, 1, 1], 'a, used recently, stayed: repeated')
  await get(pc, c)
  t.same(routed(), [1, 1, 1], 'c, the newest, stayed: repeated')
  await get(pb, b)
  t.same(routed(), [1, 2, 1], 'b, the least recently used, went: the route answered it again')
})
