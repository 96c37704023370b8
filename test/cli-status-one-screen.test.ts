// `fedgate status --config site.yaml` prints one screen about the running site, from its /health detail
// with an admin key: the root and its circuit, repositories by state (failing ones named), the sync
// leader, npm, the forward cache, tunnels.
// A key that is not this site's admin key gets no summary, and the key is never printed.
import t from 'tap'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { tempDir, writeSecret } from './helpers/sites.ts'
import { startRoot, startChild, publish, issueKey, inSync, blobBytes } from './helpers/sync.ts'

const BIN = fileURLToPath(new URL('../gateway/cli/bin.mjs', import.meta.url))
const run = promisify(execFile)

t.test('fedgate status: one screen about a running child', async (t) => {
  const dir = tempDir(t)
  const root = await startRoot(t, dir)
  await publish(root, 'acme/app:1.0', blobBytes(5000, 1))
  const child = await startChild(t, dir, 'branch', root.url, root.readKey, 'repositories: [acme/app, acme/missing]\nforward: { cache: { enabled: true } }\n')
  await inSync(child, 'acme/app')
  const admin = await issueKey(child, 'admin')
  writeSecret(dir, 'admin.key', admin)
  const status = (keyFile: string) => run(process.execPath, [BIN, 'status', '--config', join(dir, 'branch.yaml'), '--url', child.url, '--key-file', join(dir, keyFile)])

  const { stdout } = await status('admin.key')
  t.comment(stdout)
  t.match(stdout, /^site branch \(child\) at https:\/\/127\.0\.0\.1:\d+: ok, up \d+s/m)
  t.match(stdout, new RegExp(`^root +${root.url.replace(/[.]/g, '\\.')}\\S*  up since`, 'm'), 'the root and its state')
  t.match(stdout, /^circuit +closed/m)
  t.match(stdout, /^repos +1 in-sync, 0 syncing, \d queued, \d failing +\(2 entries; change stream (live|polling)/m, 'repositories by state')
  t.match(stdout, /^leader +this process leads the sync \(lease until \d{4}-/m, 'the sync leader')
  t.match(stdout, /^cache +0 entries, 0 B of 1\.0 GiB on disk; 0 hits, 0 misses/m, 'the forward cache')
  t.match(stdout, /^tunnels +none/m)
  t.ok(stdout.split('\n').length <= 24, 'one screen')
  t.notOk(stdout.includes(admin), 'the key is not printed')

  writeSecret(dir, 'read.key', root.readKey)
  const refused = await status('read.key').catch((e: { stderr: string; code: number }) => e)
  t.equal((refused as { code: number }).code, 2, 'another key: no summary')
})
