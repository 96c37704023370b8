// `fedgate publish` writes into the store of the site its config names. A child's store mirrors its
// upstream, so publishing into it is refused with an error that says where to publish, and nothing is
// written: no repository, no blob.
import t from 'tap'
import { execFile } from 'node:child_process'
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { childYaml, tempDir, writeSecret } from './helpers/sites.ts'

const run = promisify(execFile)
const bin = join(import.meta.dirname, '..', 'gateway', 'cli', 'bin.mjs')

t.test('fedgate publish refuses a child site', async (t) => {
  const dir = tempDir(t)
  writeSecret(dir, 'root.key', 'fgk_0123456789abcdef_' + 'r'.repeat(43))
  const yaml = join(dir, 'child.yaml')
  writeFileSync(yaml, childYaml('branch', 'https://127.0.0.1:9'))
  writeFileSync(join(dir, 'image.bin'), 'not for a child')
  const failed = await run(process.execPath, [bin, 'publish', '--config', yaml, 'acme/app:1.0', join(dir, 'image.bin')]).then(
    () => undefined,
    (err: { code: number; stderr: string }) => err,
  )
  t.ok(failed, 'the command fails')
  t.not(failed?.code, 0, 'with a non-zero exit')
  t.match(failed?.stderr, /branch is a child: publish at the root/, 'and says where to publish')
  t.notOk(existsSync(join(dir, '.fedgate', 'branch', 'store')), 'nothing was written: the store was not even opened')
})
