// Opens a blob store, an index and a repository store in a temp folder, closed at teardown.
import { createHash } from 'node:crypto'
import { Readable } from 'node:stream'
import { FileBlobStore } from '../../plugins/hub/store/blob-store.ts'
import { IndexStore } from '../../plugins/hub/store/index.ts'
import { IndexedRepositoryStore } from '../../plugins/hub/store/repository-store.ts'
import { systemClock } from '../../gateway/util/clock.ts'
import { tempDir, type TestLike } from './sites.ts'

export async function openTestStores(t: TestLike, o: { dir?: string; index?: string; changeLogKeep?: number; prefix?: string } = {}) {
  const dir = o.dir ?? tempDir(t)
  const blobStore = await new FileBlobStore(dir).open()
  const index = await IndexStore.open(o.index ?? 'embedded', { dir, prefix: o.prefix ?? `fedgate:test-${process.pid}-${Date.now()}:` })
  const repositoryStore = await new IndexedRepositoryStore(index, blobStore, { changeLogKeep: o.changeLogKeep ?? 1000, hotBytes: 1 << 20, refreshInterval: 0, clock: systemClock }).open()
  let closed = false
  const close = async () => {
    if (closed) return
    closed = true
    repositoryStore.close()
    await index.close()
  }
  t.teardown(close)
  return { dir, prefix: o.prefix, blobStore, index, repositoryStore, close }
}

export function sha256(b: Buffer | string): string {
  return createHash('sha256').update(b).digest('hex')
}

/** Stores `bytes` and returns the image record to commit. */
export async function storeImage(blobStore: FileBlobStore, bytes: Buffer | string) {
  const buf = Buffer.from(bytes)
  const id = sha256(buf)
  await blobStore.write(id, Readable.from([buf]), { expectedSize: buf.length })
  return { id, size: buf.length, createdAt: '2026-01-01T00:00:00.000Z' }
}
