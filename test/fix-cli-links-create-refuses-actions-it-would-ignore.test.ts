// `fedgate links create` refuses action flags the link would ignore, as `fedgate check` refuses them in
// a `links:` entry: --upload on a pull link (it was created as a plain pull link, the flag dropped), a
// custom link with neither --download nor --upload (it carried nothing), a delete action without its
// direction. Each is exit 2 with the reason, and no link is created.
import t from 'tap'
import { execFile } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { linkedYaml } from './helpers/links.ts'
import { tempDir } from './helpers/sites.ts'

const run = promisify(execFile)
const bin = join(import.meta.dirname, '..', 'gateway', 'cli', 'bin.mjs')

t.test('links create refuses actions the link would ignore', async (t) => {
  const dir = tempDir(t)
  const file = join(dir, 'tokyo.yaml')
  writeFileSync(file, linkedYaml('tokyo', { dir, owns: ['tokyo/*'] }))
  const links = (...args: string[]) => run(process.execPath, [bin, 'links', '--config', file, ...args]).then((r) => ({ code: 0, ...r }), (e: { code: number; stdout: string; stderr: string }) => e)
  const create = (name: string, ...args: string[]) => links('create', '--name', name, '--repositories', 'tokyo/*', ...args)

  const cases: [string[], RegExp][] = [
    [['--mode', 'pull', '--upload'], /only a custom link takes --upload: mode pull/],
    [['--mode', 'custom'], /a custom link needs --download or --upload/],
    [['--mode', 'custom', '--download', '--delete-uploaded'], /--delete-uploaded needs --upload/],
  ]
  const results = await Promise.all(cases.map(([args], i) => create(`paris${i}`, ...args)))
  cases.forEach(([args, reason], i) => {
    t.equal(results[i]!.code, 2, `${args.join(' ')}: exit 2`)
    t.match(results[i]!.stderr, reason, `${args.join(' ')}: says why`)
    t.notMatch(results[i]!.stdout, /fgk_/, 'no token printed')
  })
  t.match((await links('list')).stdout, /^no links/, 'no link was created')
})
