// ingest() says the bytes are in (so an npm tarball download hands its slot on) before it makes them
// durable: at that moment every byte is in the temp file and nothing is in place yet; a mismatch never says so.
import t from 'tap'
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { FileBlobStore } from '../plugins/hub/store/blob-store.ts'
import { tempDir } from './helpers/sites.ts'

t.test('onReceived comes after the last byte and before the blob is placed', async (t) => {
  const dir = tempDir(t)
  const store = await new FileBlobStore(dir).open()
  const bytes = Buffer.alloc(200_000, 'n')
  const id = createHash('sha256').update(bytes).digest('hex')
  const seen: { placed: boolean; tempBytes: number }[] = []
  const result = await store.ingest(Readable.from([bytes.subarray(0, 70_000), bytes.subarray(70_000)]), {
    expectedSize: bytes.length,
    onReceived: () => {
      const temps = readdirSync(join(dir, 'tmp'))
      seen.push({ placed: existsSync(store.path(id)), tempBytes: temps.length === 1 ? statSync(join(dir, 'tmp', temps[0]!)).size : -1 })
    },
  })
  t.same(seen, [{ placed: false, tempBytes: bytes.length }], 'called once, with every byte in the temp file and nothing placed')
  t.same(result, { id, size: bytes.length })
  t.ok(await store.has(id), 'placed afterwards')

  let called = false
  await t.rejects(store.ingest(Readable.from([Buffer.from('other bytes')]), { expectedId: id, onReceived: () => (called = true) }), { code: 'GW_ERR_DIGEST_MISMATCH' })
  t.notOk(called, 'a mismatch is never reported as received')
})

