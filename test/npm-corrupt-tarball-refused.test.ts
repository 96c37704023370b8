// A tarball whose bytes changed on Verdaccio's disk no longer matches its dist.integrity: the sync
// refuses it, the child keeps serving its last good snapshot, and the bad bytes are never stored.
import t from 'tap'
import { createHash } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import type { FileBlobStore } from '../plugins/hub/store/blob-store.ts'
import { fetchText, tempDir } from './helpers/sites.ts'
import { startNpmStack } from './helpers/npm-stack.ts'

t.test('a corrupted tarball at the root is refused by the sync and never served', async (t) => {
  const stack = await startNpmStack(t, tempDir(t), { packages: ['left-pad'] })
  await stack.root.publish({ name: 'left-pad', version: '1.3.0' })
  const file = stack.root.tarballPath('left-pad', '1.3.0')
  const bytes = readFileSync(file)
  const mid = bytes.length >> 1
  bytes[mid] = bytes[mid]! ^ 0xff
  writeFileSync(file, bytes)

  const status = await stack.syncNow('left-pad')
  const s = status.packages.find((p) => p.name === 'left-pad')!
  t.equal(s.state, 'failing', 'the sync fails')
  t.match(s.error, /GW_ERR_DIGEST_MISMATCH/, 'because of the digest')

  const doc = JSON.parse((await fetchText(stack.child, '/left-pad')).body) as { versions: Record<string, unknown>; 'dist-tags': Record<string, string> }
  t.same(Object.keys(doc.versions).sort(), ['1.0.0', '1.1.0', '1.2.0'], 'the last good snapshot is still served')
  t.equal(doc['dist-tags'].latest, '1.2.0')
  t.equal((await fetchText(stack.child, '/left-pad/-/left-pad-1.3.0.tgz')).status, 404, 'the corrupt tarball is not served')
  const blobs = stack.child.gw.service<FileBlobStore>('blobStore')!
  t.notOk(await blobs.has(createHash('sha256').update(bytes).digest('hex')), 'its bytes are not in the blob store')
})
