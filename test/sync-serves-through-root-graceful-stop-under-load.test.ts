// The root (in this process) is stopped gracefully while clients fetch synchronized repositories: not
// one request fails. A root process killed with SIGKILL is sync-serves-through-root-sigkill-under-load.
import t from 'tap'
import { Pool } from 'undici'
import { readFileSync } from 'node:fs'
import { tempDir } from './helpers/sites.ts'
import { startRoot, startChild, publish, inSync, blobBytes } from './helpers/sync.ts'

t.test('zero failed requests when the root stops under load', async (t) => {
  const dir = tempDir(t)
  const root = await startRoot(t, dir)
  const small = await publish(root, 'acme/app:1.0', blobBytes(1024, 1))
  const big = await publish(root, 'acme/app:2.0', blobBytes(100 * 1024, 2))
  const child = await startChild(t, dir, 'branch', root.url, root.readKey, 'repositories: [acme/app]\n')
  await inSync(child, 'acme/app')

  const pool = new Pool(child.url, { connections: 10, connect: { ca: readFileSync(child.gw.caFile, 'utf8') } })
  t.teardown(() => pool.close())
  const paths = ['/api/v1/repos/acme/app', `/api/v1/blobs/sha256:${small}`, `/api/v1/blobs/sha256:${big}`, '/api/v1/repos/acme/app/images/1.0/content', '/api/v1/repos/acme/app/images/latest']
  const TOTAL = 500
  let sent = 0
  let done = 0
  const failures: string[] = []
  let stopped: Promise<void> | undefined
  const worker = async () => {
    while (sent < TOTAL) {
      const path = paths[sent++ % paths.length]!
      try {
        const res = await pool.request({ path, method: 'GET' })
        await res.body.dump({ limit: Infinity })
        if (res.statusCode !== 200) failures.push(`${path}: ${res.statusCode}`)
      } catch (err) {
        failures.push(`${path}: ${(err as Error).message}`)
      }
      // The root stops a fifth of the way through.
      if (++done === TOTAL / 5) stopped = root.gw.close()
    }
  }
  await Promise.all(Array.from({ length: 10 }, worker))
  await stopped
  t.equal(done, TOTAL, `${TOTAL} requests made`)
  t.same(failures, [], 'none failed')
})
