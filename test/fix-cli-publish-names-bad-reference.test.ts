// `fedgate publish` with a reference that breaks the naming rules said "The request is malformed", an
// HTTP answer's wording that named neither the command line's argument nor what was wrong with it. It
// names the part that is wrong (repository name, tag or image id) and the rule it breaks, quoted as given.
import t from 'tap'
import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { rootYaml } from './helpers/hub.ts'
import { tempDir } from './helpers/sites.ts'

const BIN = new URL('../gateway/cli/bin.mjs', import.meta.url).pathname

t.test('a bad reference is refused naming the part and its rule', async (t) => {
  const dir = tempDir(t)
  const yaml = join(dir, 'root.yaml')
  writeFileSync(yaml, rootYaml())
  writeFileSync(join(dir, 'image.bin'), 'bytes')
  const cases: [string, RegExp][] = [
    ['Acme/App:1.0', /^fedgate: "Acme\/App" is not a repository name: a repository is namespace\/name, each part 1-64 of a-z 0-9 \. _ -\n$/],
    ['acme/app:-rc', /^fedgate: "-rc" is not a tag: a tag is 1-128 of A-Z a-z 0-9 \. _ - starting with a letter or digit\n$/],
    ['acme/app#abc', /^fedgate: "abc" is not an image id: an image id is 64 lower-case hex digits\n$/],
  ]
  for (const [ref, message] of cases) {
    const r = spawnSync(process.execPath, [BIN, 'publish', '--config', yaml, ref, join(dir, 'image.bin')], { encoding: 'utf8', timeout: 30_000 })
    t.equal(r.status, 2, `${ref}: exit 2`)
    t.match(r.stderr, message, `${ref}: names the part and the rule`)
    t.notMatch(r.stderr, /malformed/, `${ref}: not an HTTP answer's wording`)
    t.equal(r.stdout, '', `${ref}: nothing said published`)
  }
})
