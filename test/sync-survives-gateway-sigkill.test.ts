// The child gateway (a real `fedgate start` process) is SIGKILLed in the middle of a big blob and
// started again: it serves the last good snapshot at once, never a partial blob, and the sync resumes
// from the bytes it kept.
import t from 'tap'
import { existsSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Agent, request } from 'undici'
import { readFileSync } from 'node:fs'
import { tempDir, childYaml, writeSecret } from './helpers/sites.ts'
import { keysBefore, startProcess } from './helpers/process.ts'
import { startRoot, publish, blobBytes, sha256, startTcpProxy, waitFor } from './helpers/sync.ts'
import { FileBlobStore } from '../plugins/hub/store/blob-store.ts'

t.test('a SIGKILLed child restarts on its last good snapshot and resumes the sync', async (t) => {
  const dir = tempDir(t)
  const root = await startRoot(t, dir)
  const v1 = await publish(root, 'acme/app:1.0', blobBytes(20_000, 1))
  const proxy = await startTcpProxy(t, { host: '127.0.0.1', port: root.gw.httpsPort })
  writeSecret(dir, 'root.key', root.readKey)
  const file = join(dir, 'branch.yaml')
  writeFileSync(file, childYaml('branch', proxy.url, 'repositories: [acme/app]\nstore: { dir: branch-store }\n'))

  // An admin key of the child, made before it starts (lmdb is safe across processes).
  const [adminKey] = await keysBefore(file, [{ name: 'ops', scope: 'admin' }])

  const agent = new Agent({ connect: { ca: readFileSync(join(dir, 'certs', 'ca.crt'), 'utf8') } })
  t.teardown(() => agent.close())
  const get = async (port: number, path: string, headers: Record<string, string> = {}) => {
    const res = await request(`https://127.0.0.1:${port}${path}`, { dispatcher: agent, headers })
    return { status: res.statusCode, body: Buffer.from(await res.body.arrayBuffer()) }
  }
  const status = async (port: number) => {
    const r = await get(port, '/api/v1/federation/status', { authorization: `Bearer ${adminKey}` })
    return (JSON.parse(r.body.toString()) as { repos: { name: string; state: string; bytesDone: number }[] }).repos.find((x) => x.name === 'acme/app')
  }

  let site = await startProcess(t, file)
  let port = site.port
  await waitFor('v1 in sync', async () => (await status(port))?.state === 'in-sync')

  const size = 4 * 1024 * 1024
  const big = blobBytes(size, 2)
  const v2 = await publish(root, 'acme/app:2.0', big)
  proxy.rate = 1024 * 1024
  const sync = await request(`https://127.0.0.1:${port}/api/v1/admin/sync`, { method: 'POST', body: '{}', headers: { authorization: `Bearer ${adminKey}` }, dispatcher: agent })
  t.equal(sync.statusCode, 202, 'sync started')
  await sync.body.dump()
  await waitFor('a MiB of the new blob', async () => ((await status(port))?.bytesDone ?? 0) > 1024 * 1024)
  // Received bytes are counted before they are written: wait for the file itself, so the kill cannot
  // fall between the two.
  const partial = new FileBlobStore(join(dir, 'branch-store')).partialPath(v2)
  await waitFor('a MiB of it on disk', () => existsSync(partial) && statSync(partial).size > 1024 * 1024)
  const kept = statSync(partial).size
  await site.kill()

  site = await startProcess(t, file)
  port = site.port
  const repo = await get(port, '/api/v1/repos/acme/app')
  t.equal(repo.status, 200, 'served at once after the restart')
  t.same((JSON.parse(repo.body.toString()) as { tags: Record<string, string> }).tags, { '1.0': v1, latest: v1 }, 'the last good snapshot')
  const latest = await get(port, '/api/v1/repos/acme/app/images/latest/content')
  t.equal(sha256(latest.body), v1, 'its bytes whole')
  t.notOk(existsSync(join(dir, 'branch-store', 'sha256', v2.slice(0, 2), v2)), 'the cut blob is not in the store')
  t.ok(statSync(partial).size >= kept, 'its bytes are kept apart, as a partial')

  const before = proxy.bytesDown
  proxy.rate = 0
  await waitFor('v2 in sync', async () => (await status(port))?.state === 'in-sync' && JSON.parse((await get(port, '/api/v1/repos/acme/app')).body.toString()).tags.latest === v2, 30_000)
  const moved = proxy.bytesDown - before
  t.ok(moved < size - 512 * 1024, `the sync resumed: ${moved} bytes moved for a ${size}-byte blob`)
  const blob = await get(port, `/api/v1/blobs/sha256:${v2}`)
  t.equal(blob.status, 200)
  t.equal(sha256(blob.body), v2, 'the new blob is served only whole and verified')
})
