// Nodes on different hosts sharing one blob folder name their partial downloads by host. When the sync
// leader changes host, the new leader takes over the old one's partial (renamed to its own name) and
// resumes it from its bytes; a blob placed from it has the bytes its name promises.
import t from 'tap'
import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { Readable } from 'node:stream'
import { FileBlobStore } from '../plugins/hub/store/blob-store.ts'
import { tempDir } from './helpers/sites.ts'

t.test('the next leader resumes a partial another host left', async (t) => {
  const dir = tempDir(t)
  const bytes = Buffer.alloc(1024 * 1024)
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919) % 251
  const id = createHash('sha256').update(bytes).digest('hex')
  const a = await new FileBlobStore(dir, { node: 'host-a' }).open()
  const b = await new FileBlobStore(dir, { node: 'host-b' }).open()

  // Host a's download was cut after 300 KB.
  await t.rejects(a.write(id, Readable.from([bytes.subarray(0, 300_000)]), { expectedSize: bytes.length }), /truncated/)
  t.equal(await b.partialSize(id), 0, 'host b has no partial of its own')
  await b.adoptPartial(id)
  t.equal(await b.partialSize(id), 300_000, 'host b took host a\'s bytes')
  t.notOk(existsSync(a.partialPath(id)), 'host a\'s file is now host b\'s')

  await b.write(id, Readable.from([bytes.subarray(300_000)]), { resume: true, expectedSize: bytes.length })
  const stored = readFileSync(b.path(id))
  t.equal(createHash('sha256').update(stored).digest('hex'), id, 'the stored blob has the bytes its name promises')
})
