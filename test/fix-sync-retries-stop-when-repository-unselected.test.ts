// A repository matched by `acme/*` fails its first sync, then disappears at the upstream: its retries
// stop and it leaves the status. While the upstream cannot list its repositories it keeps retrying
// (it may still be there). A repository listed by name that disappears keeps failing, with the reason.
// A fake upstream (as in sync-refuses-corrupt-upstream) so every sync fails until the repository is gone.
import t from 'tap'
import { createHash } from 'node:crypto'
import { startOrigin, startSite, childYaml, writeSecret, tempDir } from './helpers/sites.ts'
import { waitFor } from './helpers/sync.ts'
import type { SyncStatus } from '../plugins/sync/status.ts'

t.test('retries stop for a pattern-matched repository gone at the upstream, not for one listed by name', async (t) => {
  const repos: Record<string, { bytes: Buffer; id: string }> = {}
  for (const [i, name] of ['acme/x', 'other/app'].entries()) {
    const bytes = Buffer.alloc(50_000, i + 1)
    repos[name] = { bytes, id: createHash('sha256').update(bytes).digest('hex') }
  }
  let mode: 'corrupt' | 'unreachable' | 'gone' = 'corrupt'
  const upstream = await startOrigin(t, (req, res) => {
    const url = req.url ?? ''
    const json = (status: number, v: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(JSON.stringify(v))
    }
    if (url === '/health') return json(200, {})
    if (mode === 'unreachable') return req.socket.destroy()
    if (url === '/api/v1/federation/repos') return json(200, { revision: 1, repos: mode === 'gone' ? [] : Object.keys(repos) })
    const name = /^\/api\/v1\/repos\/([^/]+\/[^/]+)$/.exec(url)?.[1]
    const repo = name ? repos[name] : undefined
    if (name && repo && mode !== 'gone') {
      const image = { id: repo.id, size: repo.bytes.length, createdAt: '2026-01-01T00:00:00.000Z' }
      return json(200, { name, revision: 1, tags: { latest: repo.id }, images: { [repo.id]: image } })
    }
    const blob = Object.values(repos).find((r) => url === `/api/v1/blobs/sha256:${r.id}`)
    if (blob && mode !== 'gone') {
      // Never the right bytes: every sync fails until the repository is gone.
      const bad = Buffer.from(blob.bytes)
      bad[10] = bad[10]! ^ 0xff
      res.writeHead(200, { 'content-length': bad.length })
      return res.end(bad)
    }
    json(404, { error: { code: 'GW_ERR_NOT_FOUND', message: 'not found' } })
  })
  const dir = tempDir(t)
  writeSecret(dir, 'root.key', 'fgk_child_' + 'r'.repeat(32))
  // The circuit never opens here: each retry must reach the fake upstream.
  const extra = '  health: { failures: 1000 }\nrepositories: ["acme/*", other/app]\nsync: { retry: { initial: 1s, max: 4s } }\n'
  const child = await startSite(t, childYaml('branch', upstream.url, extra), { dir, clock: t.clock })
  const status = child.gw.service<SyncStatus>('syncStatus')!
  const failures = (name: string) => (status.has(name) ? status.get(name).failures : 0)
  const failedOnceMore = async (name: string) => {
    const before = failures(name)
    t.clock.advance(4_000)
    await waitFor(`${name} to fail once more`, () => failures(name) > before)
  }

  await waitFor('both failing', () => failures('acme/x') > 0 && failures('other/app') > 0)
  t.match(status.get('acme/x').error, /GW_ERR_DIGEST_MISMATCH/)

  // The upstream cannot say whether acme/x is still there: it keeps retrying.
  mode = 'unreachable'
  await failedOnceMore('acme/x')
  t.equal(status.get('acme/x').state, 'failing', 'still failing while the upstream cannot list its repositories')
  t.match(status.get('acme/x').error, /GW_ERR_ROOT/)

  // Both disappear at the upstream.
  mode = 'gone'
  t.clock.advance(4_000)
  await waitFor('acme/x to leave the status', () => !status.has('acme/x'))
  await waitFor('other/app to fail as not found', () => /GW_ERR_NOT_FOUND/.test(status.get('other/app').error ?? ''))
  const asked = () => upstream.seen.filter((r) => r.url === '/api/v1/repos/acme/x').length
  const seen = asked()
  for (let i = 0; i < 3; i++) await failedOnceMore('other/app')

  t.equal(asked(), seen, 'no more attempt at acme/x')
  t.notOk(status.has('acme/x'), 'acme/x is not in the status')
  t.notOk(status.view().some((r) => r.name === 'acme/x'), 'nor in federation/status')
  t.match(status.get('other/app'), { state: 'failing', error: /GW_ERR_NOT_FOUND.*other\/app does not exist at the upstream/ }, 'listed by name: failing, with the reason')
  t.equal(child.logs.lines().filter((l) => l.repo === 'acme/x' && /retries stop/.test(String(l.msg))).length, 1, 'one line says why acme/x stopped')
})
