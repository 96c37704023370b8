// `fedgate status` has a row per link, but read them where /health never put them (the federation
// plugin's detail is under `federation`): no link was ever shown, failing or not. Each link now shows
// its state and the age of its last exchange, and while failing why, since when and the next try.
import t from 'tap'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { adminKeyOf } from './helpers/hub.ts'
import { startLinked } from './helpers/links.ts'
import { tempDir, writeSecret } from './helpers/sites.ts'

const BIN = fileURLToPath(new URL('../gateway/cli/bin.mjs', import.meta.url))
const run = promisify(execFile)

t.test('fedgate status shows each link, and why one fails', async (t) => {
  const dir = tempDir(t)
  const tokyo = await startLinked(t, 'tokyo', { dir, owns: ['tokyo/*'] })
  const token = (await tokyo.links.create({ name: 'london', repositories: ['tokyo/*'], mode: 'pull' })).token
  const london = await startLinked(t, 'london', { dir, owns: ['london/*'], links: [{ name: 'london', url: tokyo.url, token, mode: 'pull', repositories: ['tokyo/*'], interval: '1h', extra: '    retry: 1h\n' }] })
  writeSecret(dir, 'admin.key', await adminKeyOf(london))
  const status = async () => (await run(process.execPath, [BIN, 'status', '--config', join(dir, 'london.yaml'), '--url', london.url, '--key-file', join(dir, 'admin.key')])).stdout

  await london.engine('london').exchange()
  t.match(await status(), /^links +london \(outgoing, pull\): ok, last exchange \d+s ago$/m, 'the link, ok')

  await tokyo.links.setDisabled('london', true)
  await t.rejects(london.engine('london').exchange(), /401/)
  const failing = await status()
  t.match(failing, /^links +london \(outgoing, pull\): failing, last exchange \d+s ago$/m, 'the link, failing')
  t.match(failing, /^ +failing since \d+s: .*the peer answered 401/m, 'and why')
})
