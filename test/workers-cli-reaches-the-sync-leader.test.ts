// `fedgate repos add`, `fedgate sync` and `fedgate repos list` against a site run with `--workers 2`
// (real processes): only the worker holding the sync lease runs syncs, and the commands, whichever
// worker their connection reaches first, get their answer from it.
import t from 'tap'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { tempDir, writeSecret } from './helpers/sites.ts'
import { keysBefore } from './helpers/process.ts'
import { startNode, writeNode, type NodeOptions } from './helpers/nodes.ts'
import { blobBytes, publish, startRoot, waitFor } from './helpers/sync.ts'

const BIN = fileURLToPath(new URL('../gateway/cli/bin.mjs', import.meta.url))
const run = promisify(execFile)

t.test('the CLI reaches the sync leader among two workers', async (t) => {
  const dir = tempDir(t)
  const root = await startRoot(t, dir)
  await publish(root, 'acme/app:1.0', blobBytes(5000, 1))
  const o: NodeOptions = { dir, name: 'site', rootUrl: root.url, key: root.readKey, redisUrl: 'embedded', args: ['--workers', '2'], extra: 'sync: { interval: 1h }\n' }
  const file = writeNode(o)
  const [adminKey] = await keysBefore(file, [{ name: 'ops', scope: 'admin' }])
  writeSecret(dir, 'admin.key', adminKey!)
  const site = await startNode(t, o)
  await waitFor('both workers listen', () => site.lines.filter((l) => l.msg === 'fedgate listening').length === 2)
  const fedgate = (...args: string[]) => run(process.execPath, [BIN, ...args, '--config', file, '--url', site.url, '--key-file', join(dir, 'admin.key')])

  t.match((await fedgate('repos', 'add', 'acme/app')).stdout, /added acme\/app/)
  // Several calls: each reaches either worker first.
  for (let i = 0; i < 3; i++) t.match((await fedgate('sync', 'acme/app')).stdout, /acme\/app\s+in-sync\s+revision \d+/, `sync ${i + 1} waits and shows the result`)
  t.match((await fedgate('repos', 'list')).stdout, /acme\/app\s+in-sync/)
})
