// `fedgate repos add` and `fedgate sync` show each repository's progress while it synchronizes: on a
// terminal (a pseudo-terminal from `script`) a bar per repository redrawn in place, with bytes, rate
// and time left; when the output is not a terminal (CI logs), plain lines only, no control characters.
import t from 'tap'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { tempDir, writeSecret } from './helpers/sites.ts'
import { startRoot, startChild, publish, issueKey, blobBytes, startTcpProxy, syncOf } from './helpers/sync.ts'

const BIN = fileURLToPath(new URL('../gateway/cli/bin.mjs', import.meta.url))
const run = promisify(execFile)
const ESC = '\x1b'

t.test('the CLI shows sync progress: bars on a terminal, plain lines otherwise', async (t) => {
  const dir = tempDir(t)
  const root = await startRoot(t, dir)
  await publish(root, 'acme/app:1', blobBytes(1_200_000, 1))
  await publish(root, 'acme/tool:1', blobBytes(1_200_000, 2))
  // The child reaches the root through a throttled link: each sync takes a few seconds, long enough
  // for the CLI to see it under way (it asks every 250 ms).
  const link = await startTcpProxy(t, { host: '127.0.0.1', port: root.gw.httpsPort }, { rate: 400_000 })
  const child = await startChild(t, dir, 'branch', `https://127.0.0.1:${link.port}`, root.readKey, 'sync: { stream: { enabled: false } }\n')
  writeSecret(dir, 'admin.key', await issueKey(child, 'admin'))
  const args = (...a: string[]) => [BIN, ...a, '--config', join(dir, 'branch.yaml'), '--url', child.url, '--key-file', join(dir, 'admin.key')]

  // Not a terminal: plain lines.
  const plain = await run(process.execPath, args('repos', 'add', 'acme/app'), { timeout: 120_000 })
  t.notOk(plain.stdout.includes(ESC), 'no control characters in plain output')
  t.match(plain.stdout, /^acme\/app: syncing [\d.]+ (B|KiB|MiB)\/1\.1 MiB/m, 'a line while it syncs')
  t.match(plain.stdout, /^acme\/app: in sync, revision \d+, 1\.1 MiB$/m, 'and one when it is done')
  t.ok(plain.stdout.split('\n').length < 15, 'a few lines, not one per poll')
  t.equal(syncOf(child).status.get('acme/app').state, 'in-sync')

  // A terminal: `script` runs the command on a pseudo-terminal and copies what it wrote.
  const command = [process.execPath, ...args('repos', 'add', 'acme/tool')].join(' ')
  const tty = await run('script', ['-qec', command, '/dev/null'], { timeout: 120_000, env: { ...process.env, COLUMNS: '120' } })
  t.match(tty.stdout, /\x1b\[2K/, 'lines cleared and redrawn')
  t.match(tty.stdout, /\x1b\[1A/, 'in place')
  t.match(tty.stdout, /acme\/tool +\[#*-+\] +\d+% syncing [\d.]+ (B|KiB|MiB)\/1\.1 MiB, [\d.]+ (B|KiB|MiB)\/s, \d+s left/, 'a bar with bytes, rate and time left')
  t.match(tty.stdout, /acme\/tool +\[#+\] 100% in sync/, 'a full bar at the end')

  // `fedgate sync` shows the same while it runs, then the final states.
  const again = await run(process.execPath, args('sync'), { timeout: 120_000 })
  t.match(again.stdout, /acme\/app\s+in-sync\s+revision \d+/)
})
