// `fedgate repos add`, `fedgate sync` and `fedgate repos list` drive a running child through its admin
// API, with the admin key read from a file.
import t from 'tap'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { tempDir, writeSecret } from './helpers/sites.ts'
import { startRoot, startChild, publish, issueKey, syncOf, blobBytes } from './helpers/sync.ts'

const BIN = fileURLToPath(new URL('../gateway/cli/bin.mjs', import.meta.url))
const run = promisify(execFile)

t.test('the CLI adds, syncs and lists repositories of a running child', async (t) => {
  const dir = tempDir(t)
  const root = await startRoot(t, dir)
  await publish(root, 'acme/app:1.0', blobBytes(5000, 1))
  const child = await startChild(t, dir, 'branch', root.url, root.readKey)
  const admin = await issueKey(child, 'admin')
  writeSecret(dir, 'admin.key', admin)
  const fedgate = (...args: string[]) => run(process.execPath, [BIN, ...args, '--config', join(dir, 'branch.yaml'), '--url', child.url, '--key-file', join(dir, 'admin.key')])

  const added = await fedgate('repos', 'add', 'acme/app')
  t.match(added.stdout, /added acme\/app/)
  const synced = await fedgate('sync', 'acme/app')
  t.match(synced.stdout, /acme\/app\s+in-sync\s+revision \d+/, 'sync waits and shows the result')
  t.equal(syncOf(child).status.get('acme/app').state, 'in-sync')
  const list = await fedgate('repos', 'list')
  t.match(list.stdout, /synchronized entries: acme\/app/)
  t.notOk(list.stdout.includes(admin) || synced.stdout.includes(admin), 'the key is never printed')

  const refused = await run(process.execPath, [BIN, 'repos', 'list', '--config', join(dir, 'branch.yaml'), '--url', child.url], { env: { ...process.env, FEDGATE_ADMIN_KEY: root.readKey } }).catch((e: { stderr: string; code: number }) => e)
  t.equal((refused as { code: number }).code, 2, 'a key that is not this site\'s admin key fails')
  t.match((refused as { stderr: string }).stderr, /401|403/)
})
