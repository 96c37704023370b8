import t from 'tap'
import { execFile } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { fetchText, tempDir } from './helpers/sites.ts'
import { bearer, startRoot } from './helpers/hub.ts'
import { parseKey } from '../plugins/hub/keys.ts'

const run = promisify(execFile)
const bin = join(import.meta.dirname, '..', 'gateway', 'cli', 'bin.mjs')

t.test('fedgate publish and fedgate keys work on the store while the site runs, and the site sees them', async (t) => {
  const dir = tempDir(t)
  const root = await startRoot(t, { dir })
  const yaml = join(dir, 'root.yaml')
  writeFileSync(join(dir, 'image.bin'), 'published from the command line')

  const pub = await run(process.execPath, [bin, 'publish', '--config', yaml, 'acme/cli:1.0', join(dir, 'image.bin')])
  t.match(pub.stdout, /published acme\/cli:1.0 sha256:[0-9a-f]{64}/)
  // The site follows other writers every store.refresh (1 s): poll, bounded.
  let status = 0
  for (let i = 0; i < 50 && status !== 200; i++) {
    status = (await fetchText(root, '/api/v1/repos/acme/cli', { headers: bearer(root.read) })).status
    if (status !== 200) await new Promise((r) => setTimeout(r, 100))
  }
  t.equal(status, 200, 'the running site serves what the CLI published')

  const created = await run(process.execPath, [bin, 'keys', '--config', yaml, 'create', '--name', 'osaka', '--scope', 'read'])
  const key = /fgk_[0-9a-f]{16}_\S+/.exec(created.stdout)![0]
  t.equal((await fetchText(root, '/api/v1/federation/repos', { headers: bearer(key) })).status, 200, 'a key created by the CLI works at once')
  const id = key.split('_')[1]!
  await run(process.execPath, [bin, 'keys', '--config', yaml, 'disable', id])
  t.equal((await fetchText(root, '/api/v1/federation/repos', { headers: bearer(key) })).status, 401, 'disabled by the CLI: refused at once')
  const listed = await run(process.execPath, [bin, 'keys', '--config', yaml, 'list'])
  t.match(listed.stdout, new RegExp(`${id}\\s+disabled\\s+read`))
  t.notOk(listed.stdout.includes(parseKey(key)!.secret), 'the listing never shows a secret')
})
