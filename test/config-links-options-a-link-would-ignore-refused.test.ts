// Link options that a link can only ignore passed `fedgate check`: a custom link with neither download
// nor upload (it ran and carried nothing), download/upload on a pull/push/mirror link (whose mode
// decides), a delete action without the direction it belongs to. Each is refused now, naming the link's
// line and the option; a link as the docs write it passes.
import t from 'tap'
import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { tempDir, writeSecret } from './helpers/sites.ts'

const BIN = new URL('../gateway/cli/bin.mjs', import.meta.url).pathname

const yaml = (link: string) => `site: { name: london, role: root, owns: [london/*] }
listen:
  https: { host: 127.0.0.1, port: 0 }
links:
  - name: tokyo
    url: https://127.0.0.1:9443
    token: file:./tokyo.token
    repositories: [tokyo/*]
${link}`

function check(dir: string, link: string): { code: number | null; out: string } {
  const file = join(dir, 'site.yaml')
  writeFileSync(file, yaml(link))
  const r = spawnSync(process.execPath, [BIN, 'check', '--config', file], { encoding: 'utf8', timeout: 30_000 })
  return { code: r.status, out: r.stdout + r.stderr }
}

t.test('link options that would be ignored are refused; a sound link passes', async (t) => {
  const dir = tempDir(t)
  writeSecret(dir, 'tokyo.token', 'fgt_' + 't'.repeat(40))
  const refused: [string, RegExp][] = [
    ['    mode: custom\n', /site\.yaml:\d+:\d+: links\[0\]\.mode: a custom link needs download: true or upload: true/],
    ['    mode: pull\n    upload: true\n', /links\[0\]\.upload: only a custom link takes upload: mode pull decides/],
    ['    mode: custom\n    upload: true\n    deleteDownloaded: true\n', /links\[0\]\.deleteDownloaded: deleteDownloaded needs download: true/],
  ]
  for (const [link, expected] of refused) {
    const r = check(dir, link)
    t.equal(r.code, 2, `refused: ${link.trim().replace(/\n\s*/g, ', ')}`)
    t.match(r.out, expected, 'names the line, the option and why')
  }
  for (const sound of ['    mode: pull\n', '    mode: custom\n    download: true\n    deleteDownloaded: true\n']) {
    const r = check(dir, sound)
    t.equal(r.code, 0, `passes: ${sound.trim().replace(/\n\s*/g, ', ')}${r.code === 0 ? '' : ` (${r.out})`}`)
  }
})
