// A fake upstream speaking the hub API (only here: the real root refuses to serve corrupt data) sends
// bytes that do not match the digest, then a truncated body, then the right bytes.
import t from 'tap'
import { createHash } from 'node:crypto'
import { startOrigin, startSite, childYaml, writeSecret, tempDir } from './helpers/sites.ts'
import { waitFor } from './helpers/sync.ts'
import type { BlobStore, RepositoryStore } from '../plugins/hub/model.ts'
import type { SyncStatus } from '../plugins/sync/status.ts'

t.test('corrupt or truncated blobs are never stored; the repository is failing with the reason and retries', async (t) => {
  const bytes = Buffer.alloc(256 * 1024, 7)
  for (let i = 0; i < bytes.length; i += 97) bytes[i] = i & 0xff
  const id = createHash('sha256').update(bytes).digest('hex')
  const image = { id, size: bytes.length, createdAt: '2026-01-01T00:00:00.000Z' }
  let mode: 'corrupt' | 'truncated' | 'good' = 'corrupt'
  const ranges: string[] = []
  const upstream = await startOrigin(t, (req, res) => {
    const json = (v: unknown) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify(v))
    }
    if (req.url === '/api/v1/repos/acme/app') return json({ name: 'acme/app', revision: 1, tags: { latest: id }, images: { [id]: image } })
    if (req.url?.startsWith('/api/v1/federation/changes')) return json({ revision: 1, changes: [] })
    if (req.url === `/api/v1/blobs/sha256:${id}`) {
      const range = req.headers.range
      if (range) ranges.push(range)
      if (mode === 'corrupt') {
        const bad = Buffer.from(bytes)
        bad[1000] = bad[1000]! ^ 0xff
        res.writeHead(200, { 'content-length': bad.length })
        return res.end(bad)
      }
      if (mode === 'truncated') {
        res.writeHead(200, { 'content-length': bytes.length })
        res.write(bytes.subarray(0, 100_000), () => setTimeout(() => res.destroy(), 50))
        return
      }
      const from = range ? Number(/bytes=(\d+)-/.exec(range)![1]) : 0
      res.writeHead(range ? 206 : 200, { 'content-length': bytes.length - from, ...(range ? { 'content-range': `bytes ${from}-${bytes.length - 1}/${bytes.length}` } : {}) })
      return res.end(bytes.subarray(from))
    }
    res.writeHead(req.url === '/health' ? 200 : 404)
    res.end()
  })
  const dir = tempDir(t)
  writeSecret(dir, 'root.key', 'fgk_child_' + 'r'.repeat(32))
  const child = await startSite(t, childYaml('branch', upstream.url, 'repositories: [acme/app]\nsync: { retry: { initial: 1s, max: 10s } }\n'), { dir, clock: t.clock })
  const status = child.gw.service<SyncStatus>('syncStatus')!
  const blobs = child.gw.service<BlobStore>('blobStore')!
  const repos = child.gw.service<RepositoryStore>('repositoryStore')!

  await waitFor('a failing status', () => status.get('acme/app').state === 'failing')
  const failing = status.get('acme/app')
  t.match(failing.error, /GW_ERR_DIGEST_MISMATCH/, 'the reason names the digest mismatch')
  t.ok(failing.nextTry, 'the next try is known')
  t.notOk(await blobs.has(id), 'the corrupt blob is not stored')
  t.equal(await blobs.partialSize(id), 0, 'nor kept as a partial')
  t.equal(await repos.get('acme/app'), undefined, 'no snapshot was committed')

  mode = 'truncated'
  const before = status.get('acme/app').failures
  t.clock.advance(10_000)
  await waitFor('the retry to fail', () => status.get('acme/app').failures > before)
  t.match(status.get('acme/app').error, /GW_ERR_ROOT_BAD_RESPONSE/, 'the truncated body is the upstream\'s fault')
  t.notOk(await blobs.has(id), 'the truncated blob is not stored')
  const kept = await blobs.partialSize(id)
  t.ok(kept > 0 && kept < bytes.length, `the bytes received are kept for a resume (${kept})`)
  t.equal(await repos.get('acme/app'), undefined, 'still no snapshot')

  mode = 'good'
  t.clock.advance(60_000)
  await waitFor('in sync', () => status.get('acme/app').state === 'in-sync')
  t.ok(await blobs.has(id), 'the blob is stored once the bytes are right')
  t.same(ranges, [`bytes=${kept}-`], 'the last download resumed from the kept bytes')
  t.same((await repos.get('acme/app'))?.tags, { latest: id })
  t.notOk(child.logs.text.includes('r'.repeat(32)), 'the site key is in no log line')
})
