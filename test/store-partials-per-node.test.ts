// Two gateway nodes share one blob folder and both resume the same interrupted download. Each keeps
// its own partial file, so their bytes never interleave, and a blob placed in the store always has the
// bytes its name promises.
import t from 'tap'
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { Readable } from 'node:stream'
import { FileBlobStore } from '../plugins/hub/store/blob-store.ts'
import { tempDir } from './helpers/sites.ts'

/** A stream of `bytes` in 64 KiB chunks, one per event-loop turn, so two writers interleave. */
function slowly(bytes: Buffer): Readable {
  return Readable.from((async function* () {
    for (let i = 0; i < bytes.length; i += 65536) {
      await new Promise((r) => setImmediate(r))
      yield bytes.subarray(i, i + 65536)
    }
  })())
}

t.test('two stores on one folder resuming one download each write their own partial', async (t) => {
  const dir = tempDir(t)
  const bytes = Buffer.alloc(2 * 1024 * 1024)
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919) % 251
  const id = createHash('sha256').update(bytes).digest('hex')
  const a = await new FileBlobStore(dir, { node: 'node-a' }).open()
  const b = await new FileBlobStore(dir, { node: 'node-b' }).open()

  // Node A kept half the blob from an interrupted attempt; both now resume.
  await t.rejects(a.write(id, Readable.from([bytes.subarray(0, bytes.length / 2)]), { expectedSize: bytes.length }), /truncated/)
  const keptA = await a.partialSize(id)
  await Promise.all([
    a.write(id, slowly(bytes.subarray(keptA)), { resume: true, expectedSize: bytes.length }),
    b.write(id, slowly(bytes), { resume: true, expectedSize: bytes.length }),
  ])
  const stored = readFileSync(a.path(id))
  t.equal(stored.length, bytes.length, 'the stored blob has its size')
  t.equal(createHash('sha256').update(stored).digest('hex'), id, 'and the bytes its name promises')
})
