// Hot answers are bounded by `hotAnswers.bytes` (a body, its target and 256 bytes each); an answer larger
// than the whole bound is not kept; 0 turns repeating off. Every blob is still answered whole either way.
// Which answer goes first is hot-answers-least-recently-used-out-first.test.ts.
import t from 'tap'
import { fetchText } from './helpers/sites.ts'
import { hotAnswersOf as hotOf, KEYLESS_READS, publishBlob, startRoot } from './helpers/hub.ts'

t.test('the bound holds', async (t) => {
  const root = await startRoot(t, { extra: `${KEYLESS_READS}hotAnswers: { bytes: 3000 }\n` })
  const blobs = ['a', 'b', 'c'].map((c) => Buffer.alloc(1000, c))
  const paths = new Map<Buffer, string>()
  for (const [i, b] of blobs.entries()) paths.set(b, await publishBlob(root, `acme/app${i}`, '1.0', b))
  const path = (b: Buffer) => paths.get(b)!
  const entry = 1000 + path(blobs[0]!).length + 256
  const [a, b, c] = blobs as [Buffer, Buffer, Buffer]

  t.equal((await fetchText(root, path(a))).body, a.toString())
  t.equal((await fetchText(root, path(b))).body, b.toString())
  t.same(await hotOf(root), { answers: 2, bytes: 2 * entry }, 'two fit')
  t.equal((await fetchText(root, path(a))).body, a.toString(), 'a again')
  t.equal((await fetchText(root, path(c))).body, c.toString())
  t.same(await hotOf(root), { answers: 2, bytes: 2 * entry }, 'the third pushed one out')
  t.equal((await fetchText(root, path(b))).body, b.toString())
  t.equal((await fetchText(root, path(c))).body, c.toString())
  t.same(await hotOf(root), { answers: 2, bytes: 2 * entry })

  const big = Buffer.alloc(4000, 'z')
  const bigPath = await publishBlob(root, 'acme/big', '1.0', big)
  for (let i = 0; i < 2; i++) t.equal((await fetchText(root, bigPath)).body, big.toString(), 'larger than the bound: answered whole')
  t.ok((await hotOf(root))!.bytes <= 3000, 'never over the bound')
})

t.test('0 turns repeating off', async (t) => {
  const root = await startRoot(t, { extra: `${KEYLESS_READS}hotAnswers: { bytes: 0 }\n` })
  const bytes = Buffer.alloc(500, 'q')
  const path = await publishBlob(root, 'acme/app', '1.0', bytes)
  for (let i = 0; i < 2; i++) t.equal((await fetchText(root, path)).body, bytes.toString())
  t.equal(await hotOf(root), null, '/health says repeating is off')
})
