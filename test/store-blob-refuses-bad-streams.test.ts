import t from 'tap'
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { FileBlobStore } from '../plugins/hub/store/blob-store.ts'
import { tempDir } from './helpers/sites.ts'
import { sha256 } from './helpers/stores.ts'

const bytes = Buffer.alloc(200_000, 7)
const id = sha256(bytes)

function failing(after: Buffer): Readable {
  return new Readable({
    read() {
      this.push(after)
      this.destroy(new Error('connection reset'))
    },
  })
}

t.test('a corrupted stream stores nothing and leaves no file', async (t) => {
  const store = await new FileBlobStore(tempDir(t)).open()
  const bad = Buffer.from(bytes)
  bad[1000] = 8
  await t.rejects(store.write(id, Readable.from([bad]), { expectedSize: bad.length }), { name: 'GatewayError', code: 'GW_ERR_DIGEST_MISMATCH' })
  t.notOk(await store.has(id))
  t.notOk(existsSync(store.path(id)))
  t.same(readdirSync(join(store.dir, 'partial')), [], 'no partial kept for a wrong digest')
})

t.test('too many bytes store nothing', async (t) => {
  const store = await new FileBlobStore(tempDir(t)).open()
  await t.rejects(store.write(id, Readable.from([bytes, Buffer.from('x')]), { expectedSize: bytes.length }), { code: 'GW_ERR_DIGEST_MISMATCH' })
  t.notOk(existsSync(store.path(id)))
})

t.test('a truncated stream stores nothing, keeps its bytes, and resumes to a verified blob', async (t) => {
  const store = await new FileBlobStore(tempDir(t)).open()
  await t.rejects(store.write(id, Readable.from([bytes.subarray(0, 50_000)]), { expectedSize: bytes.length }), { code: 'GW_ERR_TRUNCATED' })
  t.notOk(existsSync(store.path(id)), 'nothing at the blob path')
  t.equal(await store.partialSize(id), 50_000)
  await t.rejects(store.write(id, failing(bytes.subarray(50_000, 120_000)), { resume: true, expectedSize: bytes.length }), /connection reset/)
  t.notOk(existsSync(store.path(id)), 'an interrupted resume stores nothing either')
  const kept = await store.partialSize(id)
  t.equal(kept, 120_000)
  await store.write(id, Readable.from([bytes.subarray(kept)]), { resume: true, expectedSize: bytes.length })
  t.ok(await store.has(id))
  t.equal(await store.partialSize(id), 0)
})

t.test('ingest checks the announced digest and keeps no temp file', async (t) => {
  const store = await new FileBlobStore(tempDir(t)).open()
  await t.rejects(store.ingest(Readable.from([bytes]), { expectedId: 'a'.repeat(64) }), { code: 'GW_ERR_DIGEST_MISMATCH' })
  t.same(readdirSync(join(store.dir, 'tmp')), [])
  t.same(await listAll(store), [])
  const r = await store.ingest(Readable.from([bytes]), { expectedId: id })
  t.same(r, { id, size: bytes.length })
  t.same(await listAll(store), [id])
})

async function listAll(store: FileBlobStore): Promise<string[]> {
  const out: string[] = []
  for await (const id of store.list()) out.push(id)
  return out
}
