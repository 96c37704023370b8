// Hot answers are bounded by `hotAnswers.bytes` (a body, its target and 256 bytes each), least recently
// used out first; an answer larger than the whole bound is not kept; 0 turns repeating off. Every blob
// is still answered whole either way.
import t from 'tap'
import { fetchText } from './helpers/sites.ts'
import { publish, startRoot } from './helpers/hub.ts'
import { sha256 } from './helpers/stores.ts'

const hotOf = async (root: Awaited<ReturnType<typeof startRoot>>) => JSON.parse((await fetchText(root, '/health')).body).hotAnswers as { answers: number; bytes: number } | null

t.test('the bound holds, least recently used first out', async (t) => {
  const root = await startRoot(t, { extra: 'hub: { readsNeedKey: false }\nhotAnswers: { bytes: 3000 }\n' })
  const blobs = ['a', 'b', 'c'].map((c) => Buffer.alloc(1000, c))
  for (const [i, b] of blobs.entries()) t.equal((await publish(root, root.publish, `acme/app${i}`, '1.0', b)).status, 201)
  const path = (b: Buffer) => `/api/v1/blobs/sha256:${sha256(b)}`
  const entry = 1000 + path(blobs[0]!).length + 256
  const [a, b, c] = blobs as [Buffer, Buffer, Buffer]

  t.equal((await fetchText(root, path(a))).body, a.toString())
  t.equal((await fetchText(root, path(b))).body, b.toString())
  t.same(await hotOf(root), { answers: 2, bytes: 2 * entry }, 'two fit')
  t.equal((await fetchText(root, path(a))).body, a.toString(), 'a repeat: a is now the most recent')
  t.equal((await fetchText(root, path(c))).body, c.toString())
  t.same(await hotOf(root), { answers: 2, bytes: 2 * entry }, 'the third pushed one out')
  // b went (least recently used): answering it again offers it again, and pushes out a.
  t.equal((await fetchText(root, path(b))).body, b.toString())
  t.equal((await fetchText(root, path(c))).body, c.toString(), 'c was kept')
  t.same(await hotOf(root), { answers: 2, bytes: 2 * entry })

  const big = Buffer.alloc(4000, 'z')
  t.equal((await publish(root, root.publish, 'acme/big', '1.0', big)).status, 201)
  for (let i = 0; i < 2; i++) t.equal((await fetchText(root, path(big))).body, big.toString(), 'larger than the bound: answered whole')
  t.ok((await hotOf(root))!.bytes <= 3000, 'never over the bound')
})

t.test('0 turns repeating off', async (t) => {
  const root = await startRoot(t, { extra: 'hub: { readsNeedKey: false }\nhotAnswers: { bytes: 0 }\n' })
  const bytes = Buffer.alloc(500, 'q')
  t.equal((await publish(root, root.publish, 'acme/app', '1.0', bytes)).status, 201)
  for (let i = 0; i < 2; i++) t.equal((await fetchText(root, `/api/v1/blobs/sha256:${sha256(bytes)}`)).body, bytes.toString())
  t.equal(await hotOf(root), null, '/health says repeating is off')
})
