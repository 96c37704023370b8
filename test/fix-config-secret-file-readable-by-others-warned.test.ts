// A secret file (file:./root.key) that its group or anyone may read was used without a word. As ssh does
// for a private key, `fedgate check` and `fedgate start` now warn of it, naming the option, the file
// and its mode (the site still starts: the file may be shared on purpose). A 0600 file gets no warning.
import t from 'tap'
import { spawnSync } from 'node:child_process'
import { chmodSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { childYaml, startOrigin, startSite, tempDir, writeSecret } from './helpers/sites.ts'

const BIN = new URL('../gateway/cli/bin.mjs', import.meta.url).pathname
const KEY = 'fgk_modes_' + 'm'.repeat(32)

t.test('a secret file readable by group or others is warned of by check and start', async (t) => {
  const origin = await startOrigin(t)
  const dir = tempDir(t)
  const secret = writeSecret(dir, 'root.key', KEY)
  const yaml = childYaml('modes', origin.url)
  const file = join(dir, 'site.yaml')
  writeFileSync(file, yaml)
  const check = () => spawnSync(process.execPath, [BIN, 'check', '--config', file], { cwd: dir, encoding: 'utf8', timeout: 60_000 })

  const quiet = check()
  t.equal(quiet.status, 0, '0600: check passes')
  t.notMatch(quiet.stderr, /warning/, 'with no warning')

  for (const mode of [0o640, 0o604]) {
    chmodSync(secret, mode)
    const octal = `0${mode.toString(8)}`
    const r = check()
    t.equal(r.status, 0, `${octal}: check still passes`)
    t.match(r.stderr, `fedgate: warning: site.yaml:8:8: root.key: ${secret} is readable by ${mode & 0o040 ? 'its group' : 'others'} (mode ${octal}); chmod 600 it`, 'warns, naming the option, the file and its mode')
    t.notMatch(r.stdout + r.stderr, KEY, 'never the secret')
  }

  chmodSync(secret, 0o644)
  const site = await startSite(t, yaml, { dir })
  const lines = site.logs.lines().filter((l) => l.level === 'warn' && l.msg === 'secret file readable by others')
  t.equal(lines.length, 1, 'start logs one warning')
  t.match(lines[0], { option: 'root.key', file: secret, mode: '0644', where: 'site.yaml:8:8' }, 'naming the option, the file and its mode')
  t.notMatch(site.logs.text, KEY, 'never the secret')
})
