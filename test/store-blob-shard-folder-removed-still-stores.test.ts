// The blob store makes each shard folder (`sha256/ab/`) once per process and remembers it; a folder
// removed meanwhile (by hand, or a tool emptying the store) is made again: the next blob of that shard,
// written or ingested, is still stored and verified.
import t from 'tap'
import { rmSync } from 'node:fs'
import { dirname } from 'node:path'
import { Readable } from 'node:stream'
import { FileBlobStore } from '../plugins/hub/store/blob-store.ts'
import { tempDir } from './helpers/sites.ts'
import { sha256 } from './helpers/stores.ts'

/** Three contents whose digests share their first two hex digits (one shard). */
function sameShard(): Buffer[] {
  const byShard = new Map<string, Buffer[]>()
  for (let i = 0; ; i++) {
    const b = Buffer.from(`blob ${i}`)
    const list = byShard.get(sha256(b).slice(0, 2)) ?? []
    list.push(b)
    byShard.set(sha256(b).slice(0, 2), list)
    if (list.length === 3) return list
  }
}

t.test('a removed shard folder is made again', async (t) => {
  const store = await new FileBlobStore(tempDir(t)).open()
  const [a, b, c] = sameShard() as [Buffer, Buffer, Buffer]
  await store.write(sha256(a), Readable.from([a]), { expectedSize: a.length })
  rmSync(dirname(store.path(sha256(a))), { recursive: true })
  t.notOk(await store.has(sha256(a)), 'the shard is gone')

  await store.write(sha256(b), Readable.from([b]), { expectedSize: b.length })
  t.ok(await store.has(sha256(b)), 'a written blob is stored in the shard made again')
  rmSync(dirname(store.path(sha256(b))), { recursive: true })
  t.equal((await store.ingest(Readable.from([c]))).id, sha256(c))
  t.ok(await store.has(sha256(c)), 'an ingested blob too')
})
